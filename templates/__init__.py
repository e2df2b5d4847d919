"""Package data: jinja2 templates (one per family, sheet layouts) and the built-in exam specs."""
