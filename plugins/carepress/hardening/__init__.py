"""Hardening: valid markup, no dead links to pages left out, and the output gates (`make audit`)."""
