"""The moderation commands through the real entry point: import, queue, decide, undo, sanction, appeal, audit,
and the moderation object of ``saypro kpi --json``."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta


def _ads_file(tmp_path, rows: list[dict]) -> str:
    path = tmp_path / "ads.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return str(path)


def _ad(ext: str, hours_ago: float, **over: object) -> dict:
    submitted = (datetime.now(UTC) - timedelta(hours=hours_ago)).isoformat()
    return {"external_id": ext, "version": 1, "title": "Samsung 55 inch smart TV", "price": "6500",
            "description": "Two years old, works perfectly, remote included.", "category": "For Sale",
            "ad_type": "Offer", "advertiser_id": over.pop("advertiser", "U1"), "advertiser_name": "Sipho Zulu",
            "submitted_at": submitted, **over}


def test_the_moderation_day_on_the_command_line(saypro, tmp_path):
    code, _, err = saypro("import", "ads", _ads_file(tmp_path, [_ad("A-1", 14), _ad("A-2", 2, advertiser="U2"),
                                                                 _ad("A-3", 1, advertiser="U3", price="-5")]))
    assert code == 1 and "line 3" in err and "price" in err and "nothing was imported" in err
    code, out, err = saypro("import", "ads", _ads_file(tmp_path, [_ad("A-1", 14), _ad("A-2", 2, advertiser="U2")]))
    assert code == 0 and "2 ad(s) imported" in out, err
    assert saypro("staff", "add", "mod", "--name", "Mo Derator", "--role", "Moderator")[0] == 0
    code, out, _ = saypro("ads", "queue", "--json")
    queue = json.loads(out)
    assert [q["ad"] for q in queue] == ["A-1", "A-2"] and all(q["risk"] is not None for q in queue)
    code, _, err = saypro("--as", "mod", "ads", "decide", "A-1", "reject")
    assert code == 1 and "needs at least one reason" in err
    code, out, err = saypro("--as", "mod", "ads", "decide", "A-1", "reject", "--reason", "misleading,price")
    assert code == 0 and "Reject (misleading, price)" in out and "message to the advertiser" in out, err
    code, out, _ = saypro("--as", "mod", "ads", "undo", "A-1")
    assert code == 0 and "pending again" in out
    assert saypro("--as", "mod", "ads", "decide", "A-1", "approve")[0] == 0
    code, out, _ = saypro("ads", "show", "A-1", "--json")
    shown = json.loads(out)
    assert shown["status"] == "Approved" and [d["decision"] for d in shown["decisions"]] == ["Approve"]
    code, out, err = saypro("--as", "mod", "sanction", "add", "U2", "suspend", "--until", "2099-01-31",
                            "--reason", "scam")
    assert code == 0 and "Suspension of U2 until 01/02/2099 00:00" in out, err
    code, _, err = saypro("--as", "mod", "ads", "decide", "A-2", "approve")
    assert code == 1 and "suspension" in err and "cannot be approved" in err
    sanction_id = out.split()[1].rstrip(":")
    assert saypro("--as", "mod", "sanction", "lift", sanction_id, "--reason", "paid")[0] == 0
    assert saypro("--as", "mod", "ads", "decide", "A-2", "reject", "--reason", "scam")[0] == 0
    code, out, _ = saypro("appeal", "add", "A-2", "--text", "Not a scam")
    assert code == 0
    appeal_id = out.split()[1]
    code, out, _ = saypro("appeal", "decide", appeal_id, "overturned", "--note", "receipt shown")
    assert code == 0 and "overturned" in out
    code, out, _ = saypro("kpi", "--month", f"{datetime.now(UTC):%Y-%m}", "--json")
    moderation = json.loads(out)["moderation"]
    assert moderation["ads_reviewed"] == 2 and moderation["approved"] == 1 and moderation["rejected"] == 1
    assert moderation["appeals"] == 1 and moderation["overturned"] == 1
    assert [m["moderator"] for m in moderation["moderators"]] == ["mod"]


def test_policy_round_trip_and_a_bad_policy_file(saypro, tmp_path):
    code, out, _ = saypro("moderation", "policy")
    policy = json.loads(out)
    assert policy["version"] == 0 and "scam" in policy["reasons"]
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"templates": {"Reject": "Hello {name}"}}), encoding="utf-8")
    code, _, err = saypro("moderation", "policy", "--set", str(bad))
    assert code == 1 and "unknown placeholder {name}" in err
    good = tmp_path / "good.json"
    good.write_text(json.dumps({"reasons": {**policy["reasons"], "spam": "Spam"}}), encoding="utf-8")
    code, out, err = saypro("moderation", "policy", "--set", str(good), "--note", "spam")
    assert code == 0 and "v1 saved" in out, err
    assert "spam" in saypro("moderation", "reasons")[1]
