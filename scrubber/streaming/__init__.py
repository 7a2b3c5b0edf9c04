"""Streaming: Kafka messages to windowed sandbox and quarantine files, each window with its audit.

The pure parts live here (no Beam): what a message is and how it becomes a line, window and file names,
the atomic publication of a window pane with its audit, and where a restarted job resumes. The Beam
pipeline over them is ``scrubber.pipelines.stream``.
"""
