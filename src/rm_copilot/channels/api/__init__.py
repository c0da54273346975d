"""HTTP API (FastAPI): `create_app()` builds the app served by `rm-copilot serve`."""
from rm_copilot.channels.api.app import create_app

__all__ = ["create_app"]
