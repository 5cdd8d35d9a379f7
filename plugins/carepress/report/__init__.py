"""Findings and the reporters that print them."""

from carepress.report.finding import CATALOGUE, Code, Finding, Severity, define

__all__ = ["CATALOGUE", "Code", "Finding", "Severity", "define"]
