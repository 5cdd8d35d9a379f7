"""CarePress: compliant health content hubs on MkDocs and Material for MkDocs."""

__version__ = "0.1.0"
