"""Recompute published results and check their chain: the standalone verifier run on the stored bundles."""

from django.core.management.base import BaseCommand, CommandError

from results import selectors, sources, verify_results
from results.models import PublishedBundle
from results.services import recompute_result, results_chain_check


class Command(BaseCommand):
    help = (
        "Recompute the standings and payout amounts of published results bundles and check the campaign's chain. "
        "Give --batch ID, --campaign SLUG, or paths of downloaded bundles (folders or zips, oldest first: "
        "with --chain they are chain-checked instead)."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="*", help="downloaded bundles (folders or .zip)")
        parser.add_argument("--batch", type=int, help="the PayoutBatch id of a published bundle")
        parser.add_argument("--campaign", help="check every bundle of this campaign (slug) and its chain")
        parser.add_argument("--chain", action="store_true", help="with paths: check hashes and the chain only")
        parser.add_argument("--expect", help="with --chain: the SHA-256 the last bundle must have")

    def handle(self, *args, paths, batch, campaign, chain, expect, **options):
        if paths:
            argv = [*(["--chain"] if chain else []), *(["--expect", expect] if expect else []), *paths]
            if verify_results.main(argv) != 0:
                raise CommandError("the bundles do not check out (see above)")
            return
        if batch is not None:
            try:
                bundles = [PublishedBundle.objects.select_related("campaign").get(batch_id=batch)]
            except PublishedBundle.DoesNotExist as exc:
                raise CommandError(f"batch {batch} has no published bundle (is it approved?)") from exc
            target = bundles[0].campaign
        elif campaign:
            target = sources.campaign_public(slug=campaign)
            if target is None:
                raise CommandError(f"no campaign {campaign!r}")
            bundles = list(selectors.bundle_list(campaign=target).order_by("sequence"))
        else:
            raise CommandError("give --batch ID, --campaign SLUG or the paths of downloaded bundles")
        failed = 0
        for bundle in bundles:
            result = recompute_result({name: bundle.file_bytes(name) for name in bundle.files})
            label = f"batch {bundle.batch_id} (bundle #{bundle.sequence}, {bundle.sha256[:16]}…)"
            if result == "matches":
                self.stdout.write(f"{label}: matches")
            else:
                failed += 1
                self.stdout.write(f"{label}: differs: {result}")
        problems = results_chain_check(campaign=target)
        for problem in problems:
            self.stdout.write(f"chain: {problem}")
        if failed or problems:
            raise CommandError(f"{failed} bundle(s) differ, {len(problems)} chain problem(s) in {target.slug}")
        self.stdout.write(self.style.SUCCESS(f"{len(bundles)} bundle(s) of {target.slug} match; chain ok."))
