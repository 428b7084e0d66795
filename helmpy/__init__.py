"""helmpy: a Helm-compatible package manager for Kubernetes with Jinja2 charts."""

__version__ = "0.1.0"
