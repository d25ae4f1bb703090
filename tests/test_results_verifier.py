"""Issue 19: an approved batch is published as a bundle; the standalone verifier, run in a clean Python without
Django, says "matches"; one changed unit value, rule weight or payout amount is reported as the first difference;
a changed or removed bundle breaks the chain check."""

import csv
import hashlib
import io
import json
import subprocess
import sys
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from results.models import PublishedBundle
from results.selectors import bundle_zip
from results.services import results_chain_check, results_publish_missing
from results.verify_results import rules_version
from tests.results_data import approved_content_batch, approved_leaderboard_batch

pytestmark = pytest.mark.django_db


def clean_python(*args, cwd) -> subprocess.CompletedProcess:
    """The verifier in a fresh interpreter that sees only the standard library: -I (no environment, no user site,
    not the current folder) and -S (no site-packages, so no Django, numpy or pandas)."""
    return subprocess.run(  # noqa: S603 - our own interpreter and file
        [sys.executable, "-I", "-S", *args], cwd=cwd, capture_output=True, text=True, timeout=300, check=False
    )


def unpack(bundle: PublishedBundle, where: Path) -> Path:
    """The bundle as a visitor downloads it: the zip (with the verifier) unpacked into `where`."""
    folder = f"batch-{bundle.batch_id}"
    with zipfile.ZipFile(io.BytesIO(bundle_zip(bundle, folder=folder))) as archive:
        archive.extractall(where)
    return where / folder


def run_verifier(folder: Path, *args) -> subprocess.CompletedProcess:
    return clean_python("verify_results.py", *args, ".", cwd=folder)


def rewrite_csv(path: Path, change) -> None:
    rows = list(csv.DictReader(io.StringIO(path.read_text())))
    columns = list(rows[0])
    change(rows)
    out = io.StringIO()
    writer = csv.DictWriter(out, columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(out.getvalue())


@pytest.fixture
def leaderboard_bundle():
    return approved_leaderboard_batch().results_bundle


def test_the_clean_interpreter_has_no_django(tmp_path):
    result = clean_python("-c", "import django", cwd=tmp_path)
    assert result.returncode != 0 and "ModuleNotFoundError" in result.stderr


def test_approval_publishes_a_bundle_the_standalone_verifier_recomputes(leaderboard_bundle, tmp_path):
    bundle = leaderboard_bundle
    assert bundle.check_result == "matches" and bundle.sequence == 1 and bundle.previous_sha256 == ""
    manifest = json.loads(bundle.files["manifest.json"])
    assert manifest["schema"] == "starboard-results/2" and manifest["batch"] == bundle.batch_id
    assert bundle.sha256 == hashlib.sha256(bundle.files["manifest.json"].encode()).hexdigest()
    assert set(manifest["files"]) == {"rules.json", "standings.csv", "inputs.csv", "benchmark.csv", "lines.csv"}
    # Private data stays out, and what is withheld is listed.
    everything = "".join(bundle.files.values())
    assert "@test.local" not in everything and "email addresses" in everything
    # Ten winners share the 20,000 USDT tiers exactly; ineligible traders are in the standings with their reasons.
    lines = list(csv.DictReader(io.StringIO(bundle.files["lines.csv"])))
    assert len(lines) == 10 and sum(float(line["amount"]) for line in lines) == 20000
    standings = list(csv.DictReader(io.StringIO(bundle.files["standings.csv"])))
    reasons = {s["trader"]: s["reasons"] for s in standings}
    assert reasons["UID009"] == "enrolment_not_approved"
    assert reasons["UID005"] == "flagged"  # tiny capital, huge ROI
    # No closed position although its days carry trade counts: no fills behind the equity (no trade floor by
    # default since issue 18, so that is the one reason).
    assert reasons["UID007"] == "flagged"

    folder = unpack(bundle, tmp_path)
    result = run_verifier(folder)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == ".: matches"


def test_issue_18_shapes_publish_and_recompute(tmp_path):
    """Multi-day steps (one reaching back before the period), a near-total withdrawal with the ledger's flow
    weights, dust and equity-only records: the bundle publishes what the method needs and the verifier agrees."""
    bundle = approved_leaderboard_batch(shapes=True).results_bundle
    assert bundle.check_result == "matches", bundle.check_result
    standings = {s["trader"]: s for s in csv.DictReader(io.StringIO(bundle.files["standings.csv"]))}
    daily = list(csv.DictReader(io.StringIO(bundle.files["inputs.csv"])))
    ids = {s["trader"]: s["trader_id"] for s in standings.values()}
    sparse = [r for r in daily if r["trader_id"] == ids["UID-SPARSE"]]
    assert [(r["date"], r["step_days"]) for r in sparse] == [
        ("2026-02-20", "9"),
        ("2026-02-23", "3"),
        ("2026-02-27", "4"),
    ]
    assert standings["UID-SPARSE"]["trade_data"] == "0" and standings["UID-EQUITY"]["trade_data"] == "0"
    assert standings["UID-WITHDRAW"]["trade_data"] == "1"
    # The step ending on the 20th began on the 11th, before the period: not the period's return.
    assert standings["UID-SPARSE"]["days"] == "2.0" and standings["UID-SPARSE"]["span_days"] == "7.0"
    assert float(standings["UID-SPARSE"]["coverage"]) < 0.5 and standings["UID-SPARSE"]["sharpe"] == ""
    assert any(r["weighted_flow"] == "-9500.00000000" for r in daily)
    assert all(r["daily_return"] == "" for r in daily if r["trader_id"] == ids["UID-DUST"])
    assert standings["UID-DUST"]["reasons"] == "no_data"  # no step with 1 USDT at work: no return at all
    assert standings["UID-EQUITY"]["eligible"] == "1" and standings["UID-EQUITY"]["win_rate"] == ""

    folder = unpack(bundle, tmp_path)
    assert run_verifier(folder).stdout.strip() == ".: matches"

    # The withdrawal step's return the old way (flows at the start of the step: the profit on what was left).
    def flows_at_the_start(rows):
        at = next(i for i, r in enumerate(rows) if r["weighted_flow"])
        before, row = rows[at - 1], rows[at]
        opening, flow = Decimal(before["equity"]), Decimal(row["net_flow"])
        row["daily_return"] = repr(float((Decimal(row["equity"]) - opening - flow) / (opening + flow)))

    rewrite_csv(folder / "inputs.csv", flows_at_the_start)
    result = run_verifier(folder)
    assert result.returncode == 1 and "daily_return (from equity and net_flow)" in result.stdout


def test_a_deposit_is_not_profit_and_the_verifier_checks_it(leaderboard_bundle, tmp_path):
    """UID003 deposits 25,000 USDT on 2026-02-20: its return that day follows from equity and the flow."""
    folder = unpack(leaderboard_bundle, tmp_path)

    def count_the_deposit_as_profit(rows):
        for r in rows:
            if r["date"] == "2026-02-20" and float(r["net_flow"]) > 0:
                r["net_flow"] = "0"

    rewrite_csv(folder / "inputs.csv", count_the_deposit_as_profit)
    result = run_verifier(folder)
    assert result.returncode == 1
    assert "2026-02-20 daily_return (from equity and net_flow)" in result.stdout


def test_one_changed_unit_value_is_the_first_difference(leaderboard_bundle, tmp_path):
    folder = unpack(leaderboard_bundle, tmp_path)

    def change(rows):
        row = next(r for r in rows if r["date"] == "2026-02-17")
        row["unit_value"] = repr(float(row["unit_value"]) * 1.01)

    rewrite_csv(folder / "inputs.csv", change)
    result = run_verifier(folder)
    assert result.returncode == 1
    assert "differs: inputs.csv trader" in result.stdout and "2026-02-17 unit_value" in result.stdout


def test_one_changed_daily_return_moves_the_metrics(leaderboard_bundle, tmp_path):
    folder = unpack(leaderboard_bundle, tmp_path)

    def change(rows):
        # A return that no longer follows from equity or the unit values would be caught there: blank those, so the
        # metrics speak.
        for r in rows:
            r["equity"] = r["unit_value"] = ""
        row = next(r for r in rows if r["date"] == "2026-02-17" and r["trader_id"] == rows[0]["trader_id"])
        row["daily_return"] = repr(float(row["daily_return"]) + 0.05)

    rewrite_csv(folder / "inputs.csv", change)
    result = run_verifier(folder)
    assert result.returncode == 1 and " roi: the bundle says " in result.stdout


def test_one_changed_rule_weight_is_the_first_difference(leaderboard_bundle, tmp_path):
    folder = unpack(leaderboard_bundle, tmp_path)
    rules = json.loads((folder / "rules.json").read_text())
    rules["ranking"]["rules"]["score"]["weights"]["roi"] = 0.9
    (folder / "rules.json").write_text(json.dumps(rules))
    result = run_verifier(folder)
    assert result.returncode == 1 and "rule_version" in result.stdout

    # Relabelled to hide the change, the scores give it away.
    rules["ranking"]["rule_version"] = rules_version(rules["ranking"]["rules"])
    (folder / "rules.json").write_text(json.dumps(rules))
    result = run_verifier(folder)
    assert result.returncode == 1 and " score: the bundle says " in result.stdout


def test_one_changed_payout_amount_is_the_first_difference(leaderboard_bundle, tmp_path):
    folder = unpack(leaderboard_bundle, tmp_path)

    def move_a_cent(rows):  # the total stays the same: only the recomputation can tell
        rows[0]["amount"] = str(float(rows[0]["amount"]) - 0.01)
        rows[1]["amount"] = f"{float(rows[1]['amount']) + 0.01:.2f}"

    rewrite_csv(folder / "lines.csv", move_a_cent)
    result = run_verifier(folder)
    assert result.returncode == 1
    assert "differs: lines.csv line 1 (trader_id, rank, amount)" in result.stdout


def test_a_content_batch_matches_and_a_changed_input_differs(tmp_path):
    bundle = approved_content_batch().results_bundle
    assert bundle.check_result == "matches"
    standings = {s["trader"]: s for s in csv.DictReader(io.StringIO(bundle.files["standings.csv"]))}
    assert standings["UID-C3"]["eligible"] == "0" and standings["UID-C3"]["exposure"] == ""  # 2 posts: not ranked
    folder = unpack(bundle, tmp_path)
    assert run_verifier(folder).stdout.strip() == ".: matches"

    def change(rows):
        rows[1]["exposure"] = "100000"  # now the second trader leads on exposure

    rewrite_csv(folder / "standings.csv", change)
    result = run_verifier(folder)
    assert result.returncode == 1 and " score: the bundle says " in result.stdout


def test_withheld_equity_stays_out_and_the_bundle_still_matches(tmp_path):
    batch = approved_leaderboard_batch(pool_rules={"results": {"withhold_equity": True}})
    bundle = batch.results_bundle
    assert bundle.check_result == "matches"
    daily = list(csv.DictReader(io.StringIO(bundle.files["inputs.csv"])))
    assert daily and all(r["equity"] == r["net_flow"] == r["weighted_flow"] == r["pnl"] == "" for r in daily)
    standings = list(csv.DictReader(io.StringIO(bundle.files["standings.csv"])))
    assert all(s["equity_end"] == "" for s in standings)
    assert "results.withhold_equity" in bundle.files["manifest.json"]
    assert run_verifier(unpack(bundle, tmp_path)).stdout.strip() == ".: matches"


def test_the_chain_links_each_bundle_to_the_previous_and_shows_a_change(tmp_path):
    first = approved_leaderboard_batch().results_bundle
    second = approved_content_batch().results_bundle
    assert (second.sequence, second.previous_sha256) == (2, first.sha256)
    assert results_chain_check(campaign=first.campaign) == []
    one, two = unpack(first, tmp_path / "1"), unpack(second, tmp_path / "2")
    ok = clean_python(str(one / "verify_results.py"), "--chain", str(one), str(two), cwd=tmp_path)
    assert ok.stdout.strip() == "chain ok", ok.stdout + ok.stderr

    # A downloaded copy changed after publication: its file no longer hashes to its manifest.
    rewrite_csv(one / "lines.csv", lambda rows: rows[0].update(amount="9999.00"))
    changed = clean_python(str(two / "verify_results.py"), "--chain", str(one), str(two), cwd=tmp_path)
    assert changed.returncode == 1 and "lines.csv was changed" in changed.stdout

    # Changed with a new manifest to match: the next bundle's previous_sha256 no longer points at it.
    manifest = json.loads((one / "manifest.json").read_text())
    manifest["files"]["lines.csv"] = hashlib.sha256((one / "lines.csv").read_bytes()).hexdigest()
    (one / "manifest.json").write_text(json.dumps(manifest))
    relinked = clean_python(str(two / "verify_results.py"), "--chain", str(one), str(two), cwd=tmp_path)
    assert relinked.returncode == 1 and "was changed or one was removed" in relinked.stdout

    # The last bundle against the hash the results page shows.
    expect = clean_python(str(two / "verify_results.py"), "--chain", "--expect", "0" * 64, str(two), cwd=tmp_path)
    assert expect.returncode == 1 and "not the expected" in expect.stdout

    # In the database: a stored file changed, then a bundle removed.
    files = dict(first.files)
    files["lines.csv"] = files["lines.csv"].replace("5000.00", "5100.00")
    PublishedBundle.objects.filter(pk=first.pk).update(files=files)
    problems = results_chain_check(campaign=first.campaign)
    assert any("lines.csv was changed" in p for p in problems)
    with pytest.raises(CommandError):
        call_command("verify_results", campaign=first.campaign.slug)
    PublishedBundle.objects.filter(pk=first.pk).delete()
    problems = results_chain_check(campaign=first.campaign)
    assert any("no longer stored" in p for p in problems)
    assert any(f"batch {first.batch_id} is approved but has no published bundle" in p for p in problems)


def test_commands_verify_the_stored_bundles_and_publish_missing_ones(capsys):
    batch = approved_leaderboard_batch()
    call_command("verify_results", batch=batch.pk)
    assert "match; chain ok" in capsys.readouterr().out
    # A batch approved before results existed: no bundle until publish_results.
    PublishedBundle.objects.all().delete()
    with pytest.raises(CommandError, match="no published bundle"):
        call_command("verify_results", batch=batch.pk)
    assert [b.batch_id for b in results_publish_missing()] == [batch.pk]
    assert results_publish_missing() == []
    call_command("verify_results", campaign=batch.period.pool.campaign.slug)
    with pytest.raises(CommandError, match="give --batch"):
        call_command("verify_results")
