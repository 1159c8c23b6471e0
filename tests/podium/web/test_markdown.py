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


def test_javascript_links_and_event_handlers_are_stripped(settings):
    settings.MARKDOWN_ALLOWED_HOSTS = ["example.com"]  # an allowed host's link is kept
    html = render_markdown(
        '[click](javascript:alert(1)) <a href="JaVaScRiPt:alert(2)">two</a> '
        '<img src="x.png" onerror="alert(3)"> <a href="https://example.com" onclick="e()">ok</a>'
    )
    assert "javascript" not in html.lower()
    assert "onerror" not in html and "onclick" not in html
    assert 'href="https://example.com"' in html and 'rel="noopener noreferrer nofollow"' in html


def test_empty_text_renders_nothing():
    assert render_markdown("") == ""


# -- other hosts: no images or links unless the operator allows the host ----------------------


def test_images_and_links_to_other_hosts_are_dropped(settings):
    from podium.web.markdown import render_markdown

    settings.MARKDOWN_ALLOWED_HOSTS = []
    html = str(
        render_markdown(
            "![pixel](https://tracker.example/p.gif) [site](https://evil.example/x) "
            '[proto](//evil.example/y) <img src="http://evil.example/z.png"> '
            "[here](/competitions/x/data/) [mail](mailto:host@corp.example) ![local](/static/a.png)"
        )
    )
    assert "tracker.example" not in html and "evil.example" not in html
    assert ">site</a>" in html  # the text stays, without its address
    assert 'href="/competitions/x/data/"' in html
    assert 'href="mailto:host@corp.example"' in html
    assert 'src="/static/a.png"' in html


def test_an_allowed_host_may_serve_images_and_links(settings):
    from podium.web.markdown import render_markdown

    settings.MARKDOWN_ALLOWED_HOSTS = ["wiki.corp.example"]
    html = str(
        render_markdown(
            "![chart](https://wiki.corp.example/c.png) [doc](https://WIKI.corp.example/d) "
            "[other](https://evil.example/)"
        )
    )
    assert 'src="https://wiki.corp.example/c.png"' in html
    assert 'href="https://WIKI.corp.example/d"' in html
    assert "evil.example" not in html


def test_a_cached_render_follows_the_allowed_hosts_and_forgets_reference_links(settings):
    text = "![chart](https://wiki.corp.example/c.png)"
    settings.MARKDOWN_ALLOWED_HOSTS = ["wiki.corp.example"]
    assert "wiki.corp.example" in render_markdown(text)
    settings.MARKDOWN_ALLOWED_HOSTS = []
    assert "wiki.corp.example" not in render_markdown(text)  # the same text, other hosts
    # One converter per thread is reused: a reference defined in one post is not another's.
    assert 'href="/a"' in render_markdown("[x][ref]\n\n[ref]: /a")
    assert "href" not in render_markdown("[x][ref] again")


def test_long_texts_render_too():
    body = "word " * 3_000 + "\n\n**end**"
    assert "<strong>end</strong>" in render_markdown(body)
