"""``podium_run`` collects the static files again only when a source file changed."""

from __future__ import annotations

import os

from django.test import override_settings

from podium.devserver.static_files import collect_if_changed


def test_static_files_are_collected_once_then_again_only_after_a_change(tmp_path):
    source, root = tmp_path / "source", tmp_path / "static"
    source.mkdir()
    (source / "extra.css").write_text("body { color: black }")
    with override_settings(STATICFILES_DIRS=[str(source)], STATIC_ROOT=root):
        assert collect_if_changed() is True
        assert (root / "extra.css").read_text() == "body { color: black }"
        assert (root / "podium" / "podium.css").exists()  # the apps' files as well

        (root / "extra.css").unlink()  # collectstatic would copy it again: it does not run
        assert collect_if_changed() is False
        assert not (root / "extra.css").exists()

        (source / "extra.css").write_text("body { color: navy }")
        stat = (source / "extra.css").stat()
        os.utime(source / "extra.css", ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
        assert collect_if_changed() is True
        assert (root / "extra.css").read_text() == "body { color: navy }"
        assert collect_if_changed() is False
