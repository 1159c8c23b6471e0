"""The kaggle CLI's protocol (``POST /api/v1/<Service>/<Method>``, JSON) over Podium's own
services and selectors: the official ``kaggle competitions ...`` commands work against Podium.
No rule lives here: every refusal is a Podium service's or selector's, with its message."""
