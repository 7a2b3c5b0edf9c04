"""A catalogue compiled into a plan: a tree of map, list and leaf nodes, run by closures, counted by Stats."""

from scrubber.plan.tree import Leaf, ListNode, MapNode, Node, Plan, Stats

__all__ = ["Leaf", "ListNode", "MapNode", "Node", "Plan", "Stats"]
