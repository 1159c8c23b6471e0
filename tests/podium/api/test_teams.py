"""The caller's team: renaming, leaving, leadership, invitations, join and merge requests."""

from __future__ import annotations

from datetime import timedelta

import pytest

from podium.core.timeutils import now, utc_day_start
from podium.teams.models import Invitation, JoinRequest, Membership, MergeRequest, Team
from tests.podium.api.conftest import error_of
from tests.podium.factories import competition_with_solution, submit

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def competition(db):
    return competition_with_solution(rows=40, title="Titanic", slug="titanic", max_team_size=3)


def names(page: dict) -> list[str]:
    return sorted(m["username"] for m in page["members"])


def test_team_before_and_after_joining(competition, make_user, api):
    eve = make_user("eve")
    page = eve.get("competitions/titanic/team/").json()
    assert page["id"] is None and page["name"] is None and page["members"] == []
    eve.post("competitions/titanic/join/")
    page = eve.get("competitions/titanic/team/").json()
    assert page["name"] == "eve" and page["is_leader"] is True
    assert page["id"] == Team.objects.get(name="eve").pk
    assert page["max_team_size"] == 3 and page["free_places"] == 2
    assert [(m["username"], m["is_leader"]) for m in page["members"]] == [("eve", True)]
    error_of(api.get("competitions/titanic/team/"), 401, "not_authenticated")


def test_rename(competition, make_participant):
    alice, bob = make_participant(competition, "alice"), make_participant(competition, "bob")
    response = alice.patch("competitions/titanic/team/", json={"name": "  Deep   Blue "})
    assert response.status_code == 200 and response.json()["name"] == "Deep Blue"
    error = error_of(
        bob.patch("competitions/titanic/team/", json={"name": "deep blue"}), 409, "team_name_taken"
    )
    assert error["message"] == "The name “deep blue” is already taken in Titanic."
    error = error_of(bob.patch("competitions/titanic/team/", json={"name": "   "}), 400)
    assert error["code"] in {"invalid_input", "team_name_invalid"}
    error = error_of(bob.patch("competitions/titanic/team/", json={}), 400, "invalid_input")
    assert "name" in error["details"]["fields"]
    assert Team.objects.get(pk=Team.objects.get(name="bob").pk).name == "bob"


def test_rename_or_leave_without_a_team(competition, make_user):
    eve = make_user("eve")
    for response in (
        eve.patch("competitions/titanic/team/", json={"name": "x"}),
        eve.post("competitions/titanic/team/leave/"),
        eve.post("competitions/titanic/invitations/", json={"invitee": "bob"}),
    ):
        error = error_of(response, 403, "not_a_participant")
        assert error["message"] == (
            "You have not joined Titanic. Join it and accept its rules first."
        )


def invite(leader, who: str) -> dict:
    response = leader.post("competitions/titanic/invitations/", json={"invitee": who})
    assert response.status_code == 201, response.text
    return response.json()


def test_invite_and_accept_with_the_rules(competition, make_participant, make_user):
    alice = make_participant(competition, "alice")
    eve = make_user("eve")  # has not joined the competition
    invitation = invite(alice, "eve@example.com")  # by email address
    assert invitation["invitee"] == "eve" and invitation["team"] == "alice"
    assert invitation["status"] == "pending"
    assert invite(alice, "eve")["id"] == invitation["id"]  # again: the pending one
    mine = eve.get("competitions/titanic/team/").json()
    assert [i["id"] for i in mine["invitations_to_me"]] == [invitation["id"]]
    assert [
        i["id"] for i in alice.get("competitions/titanic/team/").json()["invitations_sent"]
    ] == [invitation["id"]]

    url = f"competitions/titanic/invitations/{invitation['id']}/accept/"
    error = error_of(eve.post(url), 403, "rules_not_accepted")
    assert error["message"] == "To join “alice” you must accept the rules of Titanic."
    assert Invitation.objects.get(pk=invitation["id"]).status == "pending"  # rolled back
    response = eve.post(url, json={"accept_rules": True})
    assert response.status_code == 200
    page = response.json()
    assert page["name"] == "alice" and names(page) == ["alice", "eve"]
    assert page["is_leader"] is False and page["free_places"] == 1
    error = error_of(eve.post(url, json={"accept_rules": True}), 409, "team_request_closed")
    assert error["message"] == "This invitation was already accepted."


def test_invitation_refusals(competition, make_participant, make_user):
    alice, bob = make_participant(competition, "alice"), make_participant(competition, "bob")
    error = error_of(
        alice.post("competitions/titanic/invitations/", json={"invitee": "nobody"}),
        404,
        "user_not_found",
    )
    assert error["message"] == "There is no user called “nobody”."
    error = error_of(alice.post("competitions/titanic/invitations/", json={}), 400, "invalid_input")
    assert "invitee" in error["details"]["fields"]
    make_user("carl")
    invitation = invite(alice, "carl")
    # someone else's invitation: bob may neither accept nor decline it
    for answer in ("accept", "decline"):
        error = error_of(
            bob.post(f"competitions/titanic/invitations/{invitation['id']}/{answer}/"),
            403,
            "team_request_not_yours",
        )
        assert error["message"] == "This invitation is addressed to someone else."
    # nor take it back: only alice's team may
    error = error_of(
        bob.post(f"competitions/titanic/invitations/{invitation['id']}/cancel/"),
        403,
        "not_team_leader",
    )
    assert error["message"] == "Only the leader of “alice”, alice, can take back its invitations."
    assert Invitation.objects.get(pk=invitation["id"]).status == "pending"
    error = error_of(
        bob.post("competitions/titanic/invitations/999999/accept/"), 404, "team_request_not_found"
    )
    assert error["message"] == "This invitation no longer exists."


def test_decline_and_cancel_invitations(competition, make_participant, make_user):
    alice, carl, dora = make_participant(competition, "alice"), make_user("carl"), make_user("dora")
    first, second = invite(alice, "carl"), invite(alice, "dora")
    response = carl.post(f"competitions/titanic/invitations/{first['id']}/decline/")
    assert response.status_code == 200 and response.json()["invitations_to_me"] == []
    assert Invitation.objects.get(pk=first["id"]).status == "declined"
    response = alice.post(f"competitions/titanic/invitations/{second['id']}/cancel/")
    assert response.status_code == 200 and response.json()["invitations_sent"] == []
    assert Invitation.objects.get(pk=second["id"]).status == "cancelled"
    error = error_of(
        dora.post(
            f"competitions/titanic/invitations/{second['id']}/accept/", json={"accept_rules": True}
        ),
        409,
        "team_request_closed",
    )
    assert error["message"] == "This invitation was already cancelled."
    assert not Membership.objects.filter(user=dora.user).exists()


def test_join_requests(competition, make_participant):
    alice, bob, carl = (make_participant(competition, n) for n in ("alice", "bob", "carl"))
    error = error_of(
        bob.post("competitions/titanic/join-requests/", json={"team": "nope"}),
        404,
        "team_not_found",
    )
    assert error["message"] == "There is no team called “nope” in Titanic."
    asked = bob.post("competitions/titanic/join-requests/", json={"team": "ALICE"})
    assert asked.status_code == 201
    request = asked.json()
    assert (request["team"], request["user"], request["status"]) == ("alice", "bob", "pending")
    incoming = alice.get("competitions/titanic/team/").json()["join_requests_in"]
    assert [r["id"] for r in incoming] == [request["id"]]
    # the requester (or anyone but alice) cannot let himself in
    error = error_of(
        bob.post(f"competitions/titanic/join-requests/{request['id']}/accept/"),
        403,
        "not_team_leader",
    )
    assert "Only the leader of “alice”, alice, can answer requests" in error["message"]
    response = alice.post(f"competitions/titanic/join-requests/{request['id']}/accept/")
    assert response.status_code == 200 and names(response.json()) == ["alice", "bob"]
    assert not Team.objects.filter(name="bob").exists()  # his empty solo team dissolved

    theirs = carl.post("competitions/titanic/join-requests/", json={"team": "alice"}).json()
    error_of(
        bob.post(f"competitions/titanic/join-requests/{theirs['id']}/cancel/"),
        403,
        "team_request_not_yours",
    )
    assert (
        alice.post(f"competitions/titanic/join-requests/{theirs['id']}/decline/").status_code == 200
    )
    assert JoinRequest.objects.get(pk=theirs["id"]).status == "declined"
    again = carl.post("competitions/titanic/join-requests/", json={"team": "alice"}).json()
    response = carl.post(f"competitions/titanic/join-requests/{again['id']}/cancel/")
    assert response.status_code == 200 and response.json()["join_requests_by_me"] == []


def test_leader_transfer_and_leave(competition, make_participant, make_user):
    alice, bob = make_participant(competition, "alice"), make_user("bob")
    invitation = invite(alice, "bob")
    bob.post(
        f"competitions/titanic/invitations/{invitation['id']}/accept/", json={"accept_rules": True}
    )
    error = error_of(alice.post("competitions/titanic/team/leave/"), 400, "leader_must_transfer")
    assert error["message"] == "You lead “alice”: make another member the leader before you leave."
    error = error_of(
        bob.post("competitions/titanic/team/leader/", json={"username": "bob"}),
        403,
        "not_team_leader",
    )
    error = error_of(
        alice.post("competitions/titanic/team/leader/", json={"username": "zed"}),
        404,
        "not_team_member",
    )
    assert error["message"] == "zed is not a member of “alice”."
    response = alice.post("competitions/titanic/team/leader/", json={"username": "bob"})
    assert response.status_code == 200
    assert [
        (m["username"], m["is_leader"])
        for m in sorted(response.json()["members"], key=lambda m: m["username"])
    ] == [("alice", False), ("bob", True)]
    response = alice.post("competitions/titanic/team/leave/")
    assert response.status_code == 200
    page = response.json()
    assert names(page) == ["alice"] and page["is_leader"] is True and page["name"] != "alice"
    assert names(bob.get("competitions/titanic/team/").json()) == ["bob"]


@pytest.fixture
def busy(db):
    """A competition on its first day, 2 submissions a day."""
    return competition_with_solution(
        rows=40,
        title="Titanic",
        slug="titanic",
        start_at=utc_day_start(now()),
        daily_submission_limit=2,
    )


def test_merge_refused_with_the_services_message_and_previewed(busy, make_participant):
    alice, bob = make_participant(busy, "alice"), make_participant(busy, "bob")
    submit(alice.user, busy)
    submit(alice.user, busy)
    submit(bob.user, busy)
    message = (
        "Together the teams have made 3 submissions; a merged team may have made at most 2 by "
        "now (2 a day for the 1 day Titanic has run)."
    )
    error = error_of(
        alice.post("competitions/titanic/merge-requests/", json={"team": "bob"}),
        400,
        "merge_too_many_submissions",
    )
    assert error["message"] == message
    assert error["details"] == {"submissions": 3, "max_submissions": 2, "days": 1}
    assert not MergeRequest.objects.exists()
    preview = alice.get("competitions/titanic/merge-preview/", params={"team": "bob"})
    assert preview.status_code == 200
    assert preview.json() == {
        "team": "alice",
        "into": "bob",
        "allowed": False,
        "reasons": [message],
        "members": 2,
        "max_members": busy.max_team_size,
        "submissions": 3,
        "max_submissions": 2,
        "days": 1,
    }
    error = error_of(alice.get("competitions/titanic/merge-preview/"), 400, "invalid_input")
    assert "team" in error["details"]["fields"]


def test_merge_request_accepted_by_the_other_leader_only(competition, make_participant):
    alice, bob, carl = (make_participant(competition, n) for n in ("alice", "bob", "carl"))
    submit(alice.user, competition)
    preview = alice.get("competitions/titanic/merge-preview/", params={"team": "bob"}).json()
    assert preview["allowed"] is True and preview["reasons"] == []
    asked = alice.post("competitions/titanic/merge-requests/", json={"team": "bob"})
    assert asked.status_code == 201
    request = asked.json()
    assert (request["from_team"], request["to_team"], request["status"]) == (
        "alice",
        "bob",
        "pending",
    )
    assert [r["id"] for r in bob.get("competitions/titanic/team/").json()["merge_requests_in"]] == [
        request["id"]
    ]
    error = error_of(
        bob.post("competitions/titanic/merge-requests/", json={"team": "alice"}),
        409,
        "merge_request_crossed",
    )
    assert "accept its request instead" in error["message"]
    # neither alice (who asked) nor carl (another team) may accept it
    for who in (alice, carl):
        error = error_of(
            who.post(f"competitions/titanic/merge-requests/{request['id']}/accept/"),
            403,
            "not_team_leader",
        )
        assert "Only the leader of “bob”, bob, can accept merge requests" in error["message"]
    error_of(
        carl.post(f"competitions/titanic/merge-requests/{request['id']}/cancel/"),
        403,
        "not_team_leader",
    )
    response = bob.post(f"competitions/titanic/merge-requests/{request['id']}/accept/")
    assert response.status_code == 200
    page = response.json()
    assert page["name"] == "bob" and names(page) == ["alice", "bob"]
    assert not Team.objects.filter(name="alice").exists()


def test_merge_requests_declined_and_cancelled(competition, make_participant):
    alice, bob, carl = (make_participant(competition, n) for n in ("alice", "bob", "carl"))
    first = alice.post("competitions/titanic/merge-requests/", json={"team": "bob"}).json()
    second = alice.post("competitions/titanic/merge-requests/", json={"team": "carl"}).json()
    assert (
        bob.post(f"competitions/titanic/merge-requests/{first['id']}/decline/").status_code == 200
    )
    assert (
        alice.post(f"competitions/titanic/merge-requests/{second['id']}/cancel/").status_code == 200
    )
    statuses = dict(MergeRequest.objects.values_list("pk", "status"))
    assert statuses == {first["id"]: "declined", second["id"]: "cancelled"}
    error = error_of(
        bob.post(f"competitions/titanic/merge-requests/{first['id']}/accept/"),
        409,
        "team_request_closed",
    )
    assert error["message"] == "This merge request was already declined."


def test_no_team_changes_after_the_merger_deadline(competition, make_participant):
    alice = make_participant(competition, "alice")
    make_participant(competition, "bob")
    type(competition).objects.filter(pk=competition.pk).update(
        team_merger_deadline=now() - timedelta(hours=1)
    )
    error = error_of(alice.post("competitions/titanic/merge-requests/", json={"team": "bob"}), 400)
    assert error["code"] == "team_changes_closed"
    assert "teams can no longer merge or take new members" in error["message"]
