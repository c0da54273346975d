"""Tablet chat page (Jinja2 template + static assets)."""
