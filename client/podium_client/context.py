"""What a command runs with: the configuration (read when first needed) and the API client."""

from __future__ import annotations

from podium_client import config
from podium_client.http import Api


class Context:
    def __init__(self, json: bool = False) -> None:
        self.json = json
        self._config: config.Config | None = None
        self._api: Api | None = None

    @property
    def config(self) -> config.Config:
        if self._config is None:
            self._config = config.load()
        return self._config

    @property
    def api(self) -> Api:
        """A client of the configured server, with the configured key (if any: the API answers
        a call that needs one with its own "sign in first" message)."""
        if self._api is None:
            self._api = Api(self.config.require_url(), self.config.token)
        return self._api
