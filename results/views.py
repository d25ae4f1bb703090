"""Public results pages: every published batch of a campaign, one batch's bundle, its files, the zip, the verifier."""

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from results import selectors, sources
from results.bundle import CONTENT_TYPES, VERIFIER
from results.models import PublishedBundle

# What a bundle withholds, by the code its manifest gives (the manifest says it in English).
WITHHELD = {
    "sign_in": _("Email addresses, passwords and sign-in data (personal data)"),
    "api_keys": _("Exchange API keys and secrets (credentials: stored encrypted, never shown)"),
    "answers": _("Questionnaire answers and operator notes (personal data)"),
    "staff": _("Who calculated, approved and paid the batch (staff identities stay in the audit log)"),
    "equity": _("Equity, net flows and daily PnL in USDT (the pool's rules withhold them; returns are published)"),
}


def _campaign(slug: str):
    campaign = sources.campaign_public(slug=slug)
    if campaign is None:
        raise Http404("No such campaign")
    return campaign


def _bundle(slug: str, batch_id: int):
    campaign = _campaign(slug)
    try:
        return campaign, selectors.bundle_get(campaign=campaign, batch_id=batch_id)
    except PublishedBundle.DoesNotExist as exc:
        raise Http404("No published results for this batch") from exc


def _download(data: bytes, *, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_safe
def results_list(request, slug: str):
    campaign = _campaign(slug)
    me = sources.trader_id_of_user(request.user)
    rows = []
    for bundle in selectors.bundle_list(campaign=campaign):
        lines = selectors.bundle_lines(bundle)
        rows.append(
            {
                "bundle": bundle,
                "winners": [line for line in lines if line.amount > 0],
                "mine": [line for line in lines if me is not None and line.trader_id == me],
            }
        )
    return render(request, "results/list.html", {"campaign": campaign, "rows": rows})


@require_safe
def results_detail(request, slug: str, batch_id: int):
    campaign, bundle = _bundle(slug, batch_id)
    manifest = selectors.bundle_manifest(bundle)
    context = {
        "campaign": campaign,
        "bundle": bundle,
        "manifest": manifest,
        "lines": selectors.bundle_lines(bundle),
        "files": sorted(manifest["files"].items()),
        "withheld": [WITHHELD.get(item.get("code"), item.get("what")) for item in manifest.get("withheld", [])],
        "me": sources.trader_id_of_user(request.user),
        "folder": f"{campaign.slug}-batch-{bundle.batch_id}",
    }
    return render(request, "results/detail.html", context)


@require_safe
def results_file(request, slug: str, batch_id: int, name: str):
    _campaign_, bundle = _bundle(slug, batch_id)
    if name not in bundle.files:
        raise Http404("No such file in this bundle")
    suffix = name[name.rfind(".") :]
    return _download(
        bundle.file_bytes(name),
        filename=f"{slug}-batch-{batch_id}-{name}",
        content_type=f"{CONTENT_TYPES.get(suffix, 'text/plain')}; charset=utf-8",
    )


@require_safe
def results_zip(request, slug: str, batch_id: int):
    _campaign_, bundle = _bundle(slug, batch_id)
    folder = f"{slug}-batch-{batch_id}"
    data = selectors.bundle_zip(bundle, folder=folder)
    return _download(data, filename=f"{folder}.zip", content_type="application/zip")


@require_safe
def verifier(request):
    return _download(selectors.verifier_source(), filename=VERIFIER, content_type="text/x-python; charset=utf-8")
