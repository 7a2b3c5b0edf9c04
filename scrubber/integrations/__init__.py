"""Bridges to other tools, each importable only with its extra installed (presidio)."""
