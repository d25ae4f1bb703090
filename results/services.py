"""Publishing results: one bundle per approved payout batch, chained per campaign, recomputed as it is published.

results_bundle_publish runs inside the approval's transaction (results.apps connects it to the hook
rewards.signals.payout_batch_approved): an approval and its publication commit together, so no approved batch is
missing from the chain. If publishing fails the approval fails with it, the operator sees why and approves again;
results_publish_missing publishes batches approved before this app existed (command publish_results).
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from core.services.audit import audit_record
from results import bundle as b
from results import sources
from results.models import PublishedBundle
from results.verify_results import MANIFEST, Difference, chain_problems, recompute, sha256


def _header(*, batch, sequence: int, previous: str, now) -> dict:
    period, pool = batch.period, batch.period.pool
    campaign = pool.campaign
    return {
        "campaign": {"slug": campaign.slug, "name": campaign.name, "time_zone": campaign.time_zone},
        "batch": batch.pk,
        "sequence": sequence,
        "previous_sha256": previous or None,
        "pool": {"kind": pool.kind, "name": pool.name},
        "period": {"index": period.index, "starts_at": period.starts_at, "ends_at": period.ends_at},
        "approved_at": batch.approved_at,
        "published_at": now,
        "total": b.money(batch.total),
        "currency": pool.currency,
    }


def bundle_files_build(*, batch) -> tuple[dict[str, bytes], list[dict]]:
    """Every file of the batch's bundle except the manifest, and what the bundle withholds."""
    pool = batch.period.pool
    lines = sources.payout_lines(batch=batch)
    withhold_equity = bool((pool.rules or {}).get("results", {}).get("withhold_equity"))
    withheld = [*b.ALWAYS_WITHHELD, *([b.EQUITY_WITHHELD] if withhold_equity else [])]
    rules = {
        "pool": {
            "kind": pool.kind,
            "name": pool.name,
            "amount": b.money(pool.amount),
            "currency": pool.currency,
            "reward_form": pool.reward_form,
            "winners": pool.winners,
            "budget_cap": b.money(pool.budget_cap),
            "rules": pool.rules or {},
        },
        "batch": {
            "pool_amount": b.money(batch.pool_amount),
            "total": b.money(batch.total),
            "unspent": b.money(batch.unspent),
        },
    }
    files: dict[str, bytes] = {"lines.csv": b.lines_csv(lines)}
    if pool.kind == sources.KIND_LEADERBOARD and batch.ranking_run is not None:
        inputs = sources.ranking_inputs(batch=batch)
        run = inputs["run"]
        traders = sources.traders_public(trader_ids=[s["trader_id"] for s in inputs["standings"]])
        rules["ranking"] = {
            "run_id": run.pk,
            "published_at": run.published_at,
            "rule_version": run.rule_version,
            "rules": run.rules,
            "window": {"kind": run.window, "start": run.start_date, "end": run.end_date},
            "window_dates": inputs["dates"],
        }
        files.update(b.leaderboard_csvs(inputs=inputs, traders=traders, withhold_equity=withhold_equity))
    elif pool.kind == sources.KIND_CONTENT:
        rows = sources.content_standings(batch=batch, lines=lines)
        traders = sources.traders_public(trader_ids=[r["trader_id"] for r in rows])
        files["standings.csv"] = b.csv_bytes(b.CONTENT_COLUMNS, b.named(rows, traders))
    elif pool.kind == sources.KIND_FIRST_POST:
        rows = sources.first_post_standings(lines=lines)
        traders = sources.traders_public(trader_ids=[r["trader_id"] for r in rows])
        files["standings.csv"] = b.csv_bytes(b.FIRST_POST_COLUMNS, b.named(rows, traders))
        budgets = [line["explanation"].get("budget_left_before") for line in lines]
        rules["batch"]["budget_left_before"] = budgets[0] if budgets else None
    else:
        files["standings.csv"] = b.csv_bytes(["trader_id"], [])
    files["rules.json"] = b.json_bytes(rules)
    return files, withheld


def recompute_result(files: dict[str, bytes]) -> str:
    """What the standalone verifier says about these files: "matches" or the first difference."""
    try:
        recompute(files)
    except Difference as exc:
        return str(exc)
    except Exception as exc:  # noqa: BLE001 - a check, not a gate: whatever it meets is recorded, never raised
        return f"the bundle cannot be read: {type(exc).__name__}: {exc}"
    return "matches"


@transaction.atomic
def results_bundle_publish(*, batch_id: int, now=None) -> PublishedBundle:
    """Publish the approved batch's bundle at the end of its campaign's chain (idempotent: an existing one is
    returned). The campaign row is locked, so two approvals at once chain one after the other."""
    existing = PublishedBundle.objects.filter(batch_id=batch_id).first()
    if existing is not None:
        return existing
    batch = sources.batch_for_results(batch_id=batch_id)
    if batch.status not in sources.PUBLISHED_STATUSES:
        raise ValueError(f"batch {batch_id} is {batch.status}: only approved batches are published")
    campaign = sources.campaign_locked(campaign_id=batch.period.pool.campaign_id)
    last = PublishedBundle.objects.filter(campaign=campaign).order_by("-sequence").first()
    sequence, previous = (last.sequence + 1, last.sha256) if last else (1, "")
    now = now or timezone.now()
    files, withheld = bundle_files_build(batch=batch)
    header = _header(batch=batch, sequence=sequence, previous=previous, now=now)
    files[MANIFEST] = b.manifest_bytes(header=header, files=files, withheld=withheld)
    published = PublishedBundle.objects.create(
        campaign=campaign,
        batch=batch,
        sequence=sequence,
        sha256=sha256(files[MANIFEST]),
        previous_sha256=previous,
        files={name: data.decode("utf-8") for name, data in files.items()},
        published_at=now,
        check_result=recompute_result(files),
    )
    audit_record(
        action="results.published",
        target=published,
        campaign=campaign,
        data={
            "batch_id": batch.pk,
            "sequence": sequence,
            "sha256": published.sha256,
            "previous_sha256": previous or None,
            "check": published.check_result,
        },
    )
    return published


def results_publish_missing() -> list[PublishedBundle]:
    """Publish every approved or paid batch that has no bundle yet, oldest approval first, each on its own."""
    done = set(PublishedBundle.objects.values_list("batch_id", flat=True))
    return [
        results_bundle_publish(batch_id=batch.pk)
        for batch in sources.batches_published_without_bundle(bundled_ids=done)
    ]


def results_chain_check(*, campaign) -> list[str]:
    """Everything wrong with the campaign's published chain: files that no longer hash to their manifest, a
    stored hash that is not its manifest's, a bundle changed or removed, an approved batch never published."""
    bundles = list(PublishedBundle.objects.filter(campaign=campaign).order_by("sequence"))
    problems = chain_problems([{n: bundle.file_bytes(n) for n in bundle.files} for bundle in bundles])
    for bundle in bundles:
        if sha256(bundle.file_bytes(MANIFEST)) != bundle.sha256:
            problems.append(
                f"bundle #{bundle.sequence} (batch {bundle.batch_id}): its manifest is not the published one"
            )
    if bundles and bundles[0].previous_sha256:
        problems.append(f"bundle #{bundles[0].sequence} follows a bundle that is no longer stored")
    missing = sources.batches_published_without_bundle(bundled_ids=[x.batch_id for x in bundles])
    problems += [
        f"batch {batch.pk} is approved but has no published bundle"
        for batch in missing
        if batch.period.pool.campaign_id == campaign.pk
    ]
    return problems
