"""The organizers' Markdown is rendered, then sanitized with an allow-list."""

from podium.web.markdown import render_markdown


def test_markdown_renders_headings_tables_and_code():
    html = render_markdown("# Title\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n```\nx = 1\n```\n")
    assert "<h1>Title</h1>" in html
    assert "<td>1</td>" in html
    assert "<pre><code>x = 1" in html


def test_script_tags_and_their_content_are_removed():
    html = render_markdown('Hello <script>alert("x")</script> <style>p{}</style>world')
    assert "script" not in html and "alert" not in html and "style" not in html
    assert "Hello" in html and "world" in html


def test_javascript_links_and_event_handlers_are_stripped():
    html = render_markdown(
        '[click](javascript:alert(1)) <a href="JaVaScRiPt:alert(2)">two</a> '
        '<img src="x.png" onerror="alert(3)"> <a href="https://example.com" onclick="e()">ok</a>'
    )
    assert "javascript" not in html.lower()
    assert "onerror" not in html and "onclick" not in html
    assert 'href="https://example.com"' in html and 'rel="noopener noreferrer nofollow"' in html


def test_empty_text_renders_nothing():
    assert render_markdown("") == ""
