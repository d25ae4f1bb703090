"""Public results pages, downloads and API: what they show, and hostile ids, names and sizes (404/400, never 500)."""

import csv
import io
import zipfile
from urllib.parse import quote

import pytest
from django.contrib.auth.models import User
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from campaigns.models import RewardPool
from results.verify_results import main as verifier_main
from rewards.models import Payout
from rewards.services.payouts import payout_batch_approve, payout_batch_calculate
from tests.payouts_helpers import period_of, phase2, post, sh, trader
from tests.results_data import approved_leaderboard_batch, operators
from traders.models import LeadTrader

pytestmark = pytest.mark.django_db


@pytest.fixture
def published():
    batch = approved_leaderboard_batch()
    bundle = batch.results_bundle
    return {"batch": batch, "bundle": bundle, "slug": bundle.campaign.slug}


def test_results_list_and_detail_show_every_batch_with_its_hash(client, published):
    slug, bundle = published["slug"], published["bundle"]
    page = client.get(f"/campaigns/{slug}/results/")
    assert page.status_code == 200
    html = page.content.decode()
    assert bundle.sha256 in html and "20000.00" in html and f"/campaigns/{slug}/results/{bundle.batch_id}/" in html
    assert "How to check the results" in html
    detail = client.get(f"/campaigns/{slug}/results/{bundle.batch_id}/").content.decode()
    lines = list(csv.DictReader(io.StringIO(bundle.files["lines.csv"])))
    assert all(f'id="line-{line["line"]}"' in detail for line in lines)
    for name in bundle.files:
        assert f"/campaigns/{slug}/results/{bundle.batch_id}/{name}" in detail
    assert "matches" in detail and bundle.previous_sha256 == ""


def test_the_campaign_page_says_how_to_check_the_results(client, published):
    html = client.get("/").content.decode()  # the featured campaign: phase 3, open now, nothing paid yet
    assert 'id="how-to-check"' in html and "/campaigns/star-lead-traders-phase-3/results/" in html
    empty = client.get("/campaigns/star-lead-traders-phase-3/results/").content.decode()
    assert "No payout batch of this campaign has been approved yet." in empty


def test_downloads_are_the_published_bytes_and_the_zip_verifies(client, published, tmp_path):
    slug, bundle = published["slug"], published["bundle"]
    base = f"/campaigns/{slug}/results/{bundle.batch_id}/"
    for name in bundle.files:
        response = client.get(base + name)
        assert response.status_code == 200 and response.content == bundle.file_bytes(name)
        assert response["Content-Disposition"].startswith("attachment;")
    zipped = client.get(base + "bundle.zip")
    assert zipped["Content-Type"] == "application/zip"
    assert zipped.content == client.get(base + "bundle.zip").content  # the same bytes on every download
    with zipfile.ZipFile(io.BytesIO(zipped.content)) as archive:
        archive.extractall(tmp_path)
        names = {n.split("/", 1)[1] for n in archive.namelist()}
    assert names == {*bundle.files, "verify_results.py"}
    assert verifier_main([str(tmp_path / f"{slug}-batch-{bundle.batch_id}")]) == 0
    alone = client.get("/results/verify_results.py")
    assert alone.status_code == 200 and b"def recompute(" in alone.content


def test_a_traders_own_lines_link_to_the_bundle_lines(client, published):
    line = Payout.objects.filter(batch=published["batch"]).order_by("rank").first()
    user = User.objects.create_user("winner", password="pw-for-tests-only")
    line.trader.user = user
    line.trader.save(update_fields=["user"])
    client.force_login(user)
    anchor = f"/campaigns/{published['slug']}/results/{published['batch'].pk}/#line-{line.pk}"
    assert anchor in client.get(f"/campaigns/{published['slug']}/results/").content.decode()
    assert anchor in client.get("/me/").content.decode()
    detail = client.get(f"/campaigns/{published['slug']}/results/{published['batch'].pk}/").content.decode()
    assert f'<tr id="line-{line.pk}" class="mine">' in detail


def test_api_lists_bundles_and_gives_lines_and_hashes(client, published):
    slug, bundle = published["slug"], published["bundle"]
    listing = client.get(f"/api/v1/campaigns/{slug}/results/").json()
    assert listing["count"] == 1 and listing["results"][0]["sha256"] == bundle.sha256
    detail = client.get(f"/api/v1/campaigns/{slug}/results/{bundle.batch_id}/").json()
    assert detail["recomputed"] == "matches" and detail["previous_sha256"] == ""
    assert {f["name"] for f in detail["files"]} == set(bundle.files)
    assert len(detail["lines"]) == 10 and detail["withheld"]
    assert sum(float(x["amount"]) for x in detail["lines"]) == 20000
    schema = client.get("/api/schema/").content.decode()
    assert "/api/v1/campaigns/{slug}/results/" in schema and "/api/v1/campaigns/{slug}/results/{batch_id}/" in schema


@pytest.mark.parametrize(
    "path",
    [
        "/campaigns/nope/results/",
        "/campaigns/{slug}/results/0/",
        "/campaigns/{slug}/results/424242/",
        "/campaigns/{slug}/results/99999999999999999999999999999/",
        "/campaigns/{slug}/results/-1/",
        "/campaigns/{slug}/results/{batch}/secrets.txt",
        "/campaigns/{slug}/results/{batch}/..%2Fmanifest.json",
        "/campaigns/{slug}/results/99999999999999999999999999999/bundle.zip",
        "/api/v1/campaigns/{slug}/results/99999999999999999999999999999/",
        "/api/v1/campaigns/nope/results/",
        "/api/v1/campaigns/{slug}/results/?page=99999999999999999999",
        "/api/v1/campaigns/{slug}/results/?page_size=abc",
    ],
)
def test_bad_ids_names_and_sizes_are_404_or_400(client, published, path):
    response = client.get(path.format(slug=published["slug"], batch=published["batch"].pk))
    assert response.status_code in (400, 404), (path, response.status_code)


def test_pages_are_read_only(client, published):
    assert client.post(f"/campaigns/{published['slug']}/results/").status_code == 405


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    slug=st.text(min_size=1, max_size=40),
    batch=st.one_of(st.integers(), st.text(max_size=30)),
    name=st.text(min_size=1, max_size=40),
)
def test_random_paths_never_fail(client, published, slug, batch, name):
    for path in (
        f"/campaigns/{quote(slug, safe='')}/results/",
        f"/campaigns/{published['slug']}/results/{quote(str(batch), safe='')}/",
        f"/campaigns/{published['slug']}/results/{published['batch'].pk}/{quote(name, safe='')}",
        f"/api/v1/campaigns/{quote(slug, safe='')}/results/{quote(str(batch), safe='')}/",
    ):
        assert client.get(path).status_code in (200, 400, 404), path


def test_hostile_names_stay_text_in_the_bundle_and_on_the_pages(client):
    calculator, approver = operators()
    campaign = phase2()
    hostile = '=HYPERLINK("x")\r\n<script>alert(1)</script>", -1'
    for name, views in ((hostile, 300), ("plain", 100)):
        who = trader(name[:8].strip() or "x", campaign=campaign)
        LeadTrader.objects.filter(pk=who.pk).update(display_name=name)
        for day in (13, 14, 15):
            post(campaign, who, sh(2026, 2, day, 10), views=views)
    batch = payout_batch_calculate(period=period_of(campaign, RewardPool.Kind.CONTENT, 1), actor=calculator)
    bundle = payout_batch_approve(batch_id=batch.pk, actor=approver).results_bundle
    assert bundle.check_result == "matches"
    lines = list(csv.DictReader(io.StringIO(bundle.files["lines.csv"], newline="")))
    assert lines[0]["name"] == "'" + hostile  # neutralised for spreadsheets, line break kept inside its quoted cell
    html = client.get(f"/campaigns/{campaign.slug}/results/{batch.pk}/").content.decode()
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "'=HYPERLINK" not in html  # the page shows the name as typed, escaped
