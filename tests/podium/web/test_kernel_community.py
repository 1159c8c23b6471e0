"""The Kernels tab as a community, through Django's test client: All and Mine, the three
sorts, "run ... ago by alice", votes (cast, withdrawn, never on one's own), comments (Markdown
through the sanitizer, the "edited" mark, the author's notification), "Copy & edit" (prefilled,
launched in the caller's name, credited); never a private score."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from podium.kernels import services as kernel_services
from podium.kernels.models import KernelComment, KernelRun, KernelVote
from podium.kernels.services import kernel_settings_update
from podium.notifications.models import Notification
from tests.podium.factories import competition_with_solution, organizer, participant, scored
from tests.podium.kernels.community_helpers import SCRIPT, finished_run

pytestmark = pytest.mark.django_db


def url(view: str, competition, **kwargs) -> str:
    return reverse(f"web:{view}", kwargs={"slug": competition.slug, **kwargs})


def run_url(view: str, run: KernelRun, **kwargs) -> str:
    return url(view, run.competition, run_id=run.pk, **kwargs)


def page(client, address: str, status: int = 200) -> str:
    response = client.get(address)
    assert response.status_code == status, (address, response.status_code)
    return response.content.decode()


@pytest.fixture
def competition():
    return competition_with_solution(title="Community Cup", score_display_precision=4)


@pytest.fixture
def alice(competition):
    return participant(competition, "alice")


@pytest.fixture
def bob(competition):
    return participant(competition, "bob")


def row_of(text: str, run: KernelRun) -> str:
    found = re.search(rf'<tr id="kernel-{run.pk}">.*?</tr>', text, re.S)
    assert found, f"no row for run {run.pk}"
    return found.group(0)


def test_all_and_mine_with_votes_comments_and_who_ran_it(client, competition, alice, bob):
    starter = finished_run(alice, competition, title="LightGBM starter", days_ago=3)
    draft = finished_run(alice, competition, title="alice's draft", published=False)
    kernel_services.kernel_vote(user=bob, run=starter)
    kernel_services.kernel_comment_create(user=bob, run=starter, body="thanks")

    listed = page(client, url("kernels", competition))
    row = row_of(listed, starter)
    assert "run 3\xa0days ago by alice" in row and 'class="vote-count"' in row
    assert "▲ 1" in row and '#comments" title="Comments">1</a>' in row
    assert "alice&#x27;s draft" not in listed and "alice's draft" not in listed

    client.force_login(alice)
    mine = page(client, url("kernels", competition) + "?tab=mine")
    assert "LightGBM starter" in mine and "alice&#x27;s draft" in mine
    assert 'aria-current="page">Mine</a>' in mine
    assert run_url("kernel_vote", starter) not in mine  # her own: no button
    client.force_login(bob)
    assert "You have no kernel runs here yet." in page(
        client, url("kernels", competition) + "?tab=mine"
    )
    assert run_url("kernel_vote", starter) in page(client, url("kernels", competition))
    assert draft.pk


def test_sorting_by_votes_recency_and_score(client, competition, alice, bob):
    carol = participant(competition, "carol")
    voted = finished_run(alice, competition, title="voted", days_ago=2)
    best = finished_run(
        bob, competition, title="best", days_ago=3, submission=scored(bob, competition, 0.93, 0.61)
    )
    newest = finished_run(carol, competition, title="newest")
    kernel_services.kernel_vote(user=carol, run=voted)

    def order(sort: str) -> list[str]:
        text = page(client, url("kernels", competition) + f"?sort={sort}")
        return re.findall(r'<tr id="kernel-(\d+)">', text)

    assert order("votes") == [str(voted.pk), str(newest.pk), str(best.pk)]
    assert order("recent") == [str(newest.pk), str(voted.pk), str(best.pk)]
    assert order("score") == [str(best.pk), str(newest.pk), str(voted.pk)]
    assert order("nonsense") == order("votes")
    for sort in ("votes", "recent", "score"):
        for tab in ("all", "mine"):
            client.force_login(bob)
            text = page(client, url("kernels", competition) + f"?tab={tab}&sort={sort}")
            assert "0.61" not in text and "Private" not in text


def test_vote_and_withdraw_from_the_list_and_never_on_one_s_own(client, competition, alice, bob):
    run = finished_run(alice, competition)
    listing = url("kernels", competition) + "?sort=recent"
    assert client.post(run_url("kernel_vote", run)).status_code == 302  # to sign in
    assert not KernelVote.objects.exists()

    client.force_login(bob)
    response = client.post(run_url("kernel_vote", run), {"vote": "1", "next": listing})
    assert response.status_code == 302 and response["Location"] == listing
    assert KernelVote.objects.filter(run=run, user=bob).exists()
    row = row_of(page(client, listing), run)
    assert 'aria-pressed="true"' in row and '<span class="vote-count">1</span>' in row
    outside = client.post(run_url("kernel_vote", run), {"vote": "0", "next": "https://evil.test/"})
    assert outside["Location"] == run_url("kernel", run)  # never off the site
    assert not KernelVote.objects.exists()
    assert client.get(run_url("kernel_vote", run)).status_code == 405

    client.force_login(alice)
    refused = client.post(run_url("kernel_vote", run), follow=True).content.decode()
    assert "You cannot vote for your own kernel." in refused
    assert not KernelVote.objects.exists()


def test_comments_render_sanitized_markdown_notify_and_show_edits(client, competition, alice, bob):
    run = finished_run(alice, competition, title="starter")
    client.force_login(bob)
    body = "**bold** idea <script>alert(1)</script> [x](javascript:alert(2))"
    response = client.post(run_url("kernel_comments", run), {"body": body})
    comment = KernelComment.objects.get()
    assert response["Location"] == run_url("kernel", run) + f"#comment-{comment.pk}"
    detail = page(client, run_url("kernel", run))
    shown = re.search(r'<div class="markdown">(.*?)</div>', detail, re.S).group(1)
    assert "<strong>bold</strong> idea" in shown
    assert "<script" not in shown and "javascript:" not in shown
    assert "&lt;script&gt;alert(1)" in detail  # the edit box holds the text, escaped
    assert "(edited)" not in detail and "<summary>Edit</summary>" in detail
    told = Notification.objects.get(recipient=alice)
    assert told.url == run_url("kernel", run) + f"#comment-{comment.pk}"

    client.post(run_url("kernel_comment", run, comment_id=comment.pk), {"body": "better idea"})
    detail = page(client, run_url("kernel", run))
    assert "better idea" in detail and "(edited)" in detail

    client.force_login(alice)
    assert "<summary>Edit</summary>" not in page(client, run_url("kernel", run))
    refused = client.post(
        run_url("kernel_comment", run, comment_id=comment.pk), {"body": "hijacked"}, follow=True
    )
    assert "Only its author may edit this comment." in refused.content.decode()
    assert KernelComment.objects.get().body == "better idea"
    empty = client.post(run_url("kernel_comments", run), {"body": " "}, follow=True)
    assert "the comment is empty" in empty.content.decode()
    other = finished_run(alice, competition)
    wrong = run_url("kernel_comment", other, comment_id=comment.pk)
    assert client.post(wrong, {"body": "x"}).status_code == 404


def test_an_unpublished_run_takes_no_comment_and_hides_from_others(client, competition, alice, bob):
    run = finished_run(alice, competition, published=False)
    client.force_login(alice)
    assert "Votes and comments open once the organizers publish" in page(
        client, run_url("kernel", run)
    )
    client.force_login(bob)
    assert client.post(run_url("kernel_comments", run), {"body": "hi"}).status_code == 404
    assert client.post(run_url("kernel_vote", run)).status_code == 404
    assert client.get(run_url("kernel_copy", run)).status_code == 404
    assert not KernelComment.objects.exists()


def test_copy_and_edit_a_baseline_then_the_page_credits_the_source(client, competition, bob):
    kernel_settings_update(
        competition=competition,
        participants_may_run=True,
        team_gpu_hours=1,
        team_cpu_hours=2,
        max_concurrent_runs=5,
    )
    host = organizer(competition, "host")
    source = finished_run(host, competition, title="MLP baseline", baseline="breast_cancer_mlp")
    client.force_login(bob)
    form = page(client, run_url("kernel_copy", source))
    assert 'value="MLP baseline"' in form and "breast_cancer_mlp" in form
    assert "epochs:" in form and "Launch the copy" in form
    edited = source.config.replace("epochs: ", "epochs: 1 #")
    response = client.post(run_url("kernel_copy", source), {"title": "mine", "config": edited})
    copy = KernelRun.objects.get(created_by=bob)
    assert response["Location"] == run_url("kernel", copy)
    assert copy.forked_from == source and copy.config == edited.strip() and copy.title == "mine"
    detail = page(client, run_url("kernel", copy))
    assert "copied from" in detail and "host's MLP baseline</a>" in detail
    assert run_url("kernel", source) in detail

    bad = client.post(run_url("kernel_copy", source), {"config": "name: x\nep: 1"})
    assert bad.status_code == 400 and "The config cannot run" in bad.content.decode()


def test_copy_a_script_and_the_launch_rules_apply(client, competition, alice, bob):
    source = finished_run(alice, competition, title="copier")
    client.force_login(bob)
    form = page(client, run_url("kernel_copy", source))
    assert "shutil.copy(&#x27;input/sample_submission.csv&#x27;" in form
    assert "only the organizers run kernels in this competition" in form
    refused = client.post(run_url("kernel_copy", source), {"script": SCRIPT.decode()})
    assert refused.status_code == 400
    assert "Only the organizers run kernels in this competition." in refused.content.decode()
    kernel_settings_update(
        competition=competition, participants_may_run=True, team_gpu_hours=1, team_cpu_hours=2
    )
    client.post(run_url("kernel_copy", source), {"title": "", "script": "print('mine')\n"})
    copy = KernelRun.objects.get(created_by=bob)
    assert copy.script.read() == b"print('mine')\n" and copy.title == "copier"
    assert copy.team.name == "bob" and copy.forked_from == source
    assert client.get(run_url("kernel_copy", source)).status_code == 200
    client.logout()
    assert client.get(run_url("kernel_copy", source)).status_code == 302  # to sign in
