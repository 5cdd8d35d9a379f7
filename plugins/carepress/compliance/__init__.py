"""Compliance: the rules, the gate that keeps unpublishable pages out of every output."""
