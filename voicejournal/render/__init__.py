"""Presenting the brief and other pages: plain text, Markdown and HTML (Jinja2 templates)."""
