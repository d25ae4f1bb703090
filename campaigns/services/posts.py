"""Posts: submission by a trader, import by an operator, and moderation. Every change is an audit event.

Each new post is checked (campaigns.originality) against every earlier-published post of every trader; the result
is stored on the post (length, trading relevance, the post it copies and how similar) for the moderator to see.
The check flags, the moderator decides. One submission finds its candidates through the posts' stored signatures
(campaigns.services.post_signatures); a bulk import builds one in-memory index instead.
"""

import io
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from campaigns.models import Campaign, Enrollment, Post
from campaigns.originality import Check, OriginalityIndex, make_check, scheme, text_signature
from campaigns.periods import local_minute
from campaigns.selectors import POSTING_STATUSES
from campaigns.services.post_signatures import originality_nearest, post_signature_store
from core.control_chars import has_control
from core.csv_rows import csv_records
from core.input_bounds import (
    EARLIEST,
    MAX_AMOUNT,
    MAX_COUNT,
    amount_in_range,
    count_in_range,
    instant_in_range,
    latest_instant,
)
from core.services.audit import audit_record
from traders.models import LeadTrader

ENGAGEMENT_FIELDS = ["views", "likes", "comments", "shares", "followers_gained"]
IMPORT_COLUMNS = ["campaign", "exchange_uid", "url", "text", "published_at", *ENGAGEMENT_FIELDS, "copy_volume"]
IMPORT_REQUIRED = ["campaign", "exchange_uid", "url", "published_at"]
MAX_TEXT = 20000
# A post counts for a campaign when published within a week of its dates (an announcement before the window opens,
# a late one after it ends); never in the future.
POST_TIME_SLACK = timedelta(days=7)


def _index(*, campaign: Campaign) -> OriginalityIndex:
    """Every trader's posts with their publish times, in the campaign's thresholds (a bulk import's index); the
    check itself only compares a post with ones published before it."""
    index = OriginalityIndex(campaign.content_rules)
    for pk, text, at in (
        Post.objects.order_by("published_at", "id").values_list("id", "text", "published_at").iterator()
    ):
        index.add(pk, text, at)
    return index


def _apply_check(post: Post, *, index: OriginalityIndex | None = None, exclude_id: int | None = None) -> bytes:
    """Check the post against every earlier one (through `index` if given, else the stored signatures) and store
    the result on it; returns its signature under the campaign's scheme."""
    rules = post.campaign.content_rules
    if index is not None:
        check: Check = index.check(post.text, before=post.published_at)
        compared_with, sig = len(index), None
    else:
        nearest = originality_nearest(rules=rules, text=post.text, before=post.published_at, exclude_id=exclude_id)
        check = make_check(post.text, rules, nearest.duplicate_of, nearest.similarity)
        compared_with, sig = nearest.compared_with, nearest.signature
    post.length = check.length
    post.is_trading_related = check.trading_related
    post.duplicate_of_id = check.duplicate_of
    post.similarity = check.similarity
    post.checks = {**check.as_dict(), "compared_with": compared_with, "checked_at": timezone.now().isoformat()}
    return sig


def post_time_error(*, campaign: Campaign, published_at: datetime, now: datetime) -> ValidationError | None:
    """Why a post of this campaign cannot have been published then (None when it can): the one rule the form, the
    service and the import share (core.input_bounds, narrowed to the campaign's dates)."""
    earliest = max(min(campaign.registration_opens_at, campaign.starts_at) - POST_TIME_SLACK, EARLIEST)
    latest = min(campaign.ends_at + POST_TIME_SLACK, latest_instant(now))
    if instant_in_range(published_at, now=now, earliest=earliest) and published_at <= latest:
        return None
    return ValidationError(
        _(
            "The publish time must be between %(earliest)s and %(latest)s (%(zone)s): within a week of the "
            "campaign's dates, and not in the future."
        ),
        code="published_at_out_of_range",
        params={
            "earliest": local_minute(earliest, campaign.zone),
            "latest": local_minute(latest, campaign.zone),
            "zone": campaign.time_zone,
        },
    )


def _require_enrolled(*, campaign: Campaign, trader: LeadTrader) -> None:
    enrolled = Enrollment.objects.filter(campaign=campaign, trader=trader, status__in=POSTING_STATUSES).exists()
    if not enrolled:
        raise ValidationError(
            _("%(trader)s is not enrolled in %(campaign)s."), params={"trader": trader, "campaign": campaign}
        )


def post_submit(
    *,
    campaign: Campaign,
    trader: LeadTrader,
    url: str,
    text: str,
    published_at: datetime,
    actor=None,
    source: str = Post.Source.SUBMITTED,
    engagement: dict | None = None,
    index: OriginalityIndex | None = None,
) -> Post:
    """A trader's (or an operator's) new post: validated, checked for originality, awaiting review.

    `index` lets a bulk import reuse one originality index; the new post is added to it. The same link submitted
    twice at the same moment (a double click) gives one post and, for the other, the "already submitted" error: the
    write runs in its own transaction (a savepoint inside an import's), rolled back when the unique link collides.
    """
    try:
        return _post_create(
            campaign=campaign,
            trader=trader,
            url=url,
            text=text,
            published_at=published_at,
            actor=actor,
            source=source,
            engagement=engagement,
            index=index,
        )
    except IntegrityError as exc:
        if Post.objects.filter(campaign=campaign, url=url).exists():  # the other request's post stands
            raise _already_submitted() from exc
        raise


@transaction.atomic
def _post_create(
    *,
    campaign: Campaign,
    trader: LeadTrader,
    url: str,
    text: str,
    published_at: datetime,
    actor,
    source: str,
    engagement: dict | None,
    index: OriginalityIndex | None,
) -> Post:
    _require_enrolled(campaign=campaign, trader=trader)
    if timezone.is_naive(published_at):
        raise ValidationError(_("The publish time needs a time zone."))
    if (error := post_time_error(campaign=campaign, published_at=published_at, now=timezone.now())) is not None:
        raise ValidationError({"published_at": error})
    if not text.strip():
        raise ValidationError(_("The post text is empty."))
    if len(text.strip()) > MAX_TEXT:  # refused, never cut: a moderator must read what the trader wrote
        raise ValidationError(
            {"text": _("The post text is longer than %(max)s characters.") % {"max": MAX_TEXT}}, code="max_length"
        )
    if Post.objects.filter(campaign=campaign, url=url).exists():
        raise _already_submitted()
    URLValidator(schemes=["https", "http"])(url)
    post = Post(
        campaign=campaign,
        trader=trader,
        url=url,
        text=text.strip(),
        published_at=published_at,
        source=source,
        **(engagement or {}),
    )
    sig = _apply_check(post, index=index)
    # Field validation only: the link's uniqueness was checked above and the database enforces the rest.
    post.full_clean(
        exclude=["campaign", "trader", "duplicate_of", "reviewed_by"], validate_unique=False, validate_constraints=False
    )
    post.save()  # IntegrityError when a concurrent submission of the link committed first (see post_submit)
    if index is not None:
        index.add(post.pk, post.text, post.published_at)
        same_rules = scheme(index.rules) == scheme(campaign.content_rules)  # an import's index: its first campaign's
        sig = index.signature_of(post.pk) if same_rules else text_signature(post.text, campaign.content_rules)
    post_signature_store(post=post, sig=sig, rules=campaign.content_rules)
    audit_record(
        action="post.submitted",
        target=post,
        actor=actor,
        campaign=campaign,
        data={"source": source, "checks": post.checks},
    )
    return post


def _already_submitted() -> ValidationError:
    return ValidationError({"url": _("This post link was already submitted.")}, code="duplicate")


@transaction.atomic
def post_recheck(*, post: Post) -> Post:
    """Run the originality check again (e.g. after the campaign's thresholds changed)."""
    sig = _apply_check(post, exclude_id=post.pk)
    post.save(update_fields=["length", "is_trading_related", "duplicate_of", "similarity", "checks"])
    post_signature_store(post=post, sig=sig, rules=post.campaign.content_rules, replace=True)
    audit_record(action="post.rechecked", target=post, campaign=post.campaign, data={"checks": post.checks})
    return post


# --- moderation -------------------------------------------------------------------------------------------------

MODERATION_ACTIONS = ["quality", "reject", "feature", "unfeature", "home_page", "unhome_page"]


@dataclass(frozen=True)
class ModerationResult:
    changed: int
    skipped: int


@transaction.atomic
def posts_moderate(
    *, post_ids: list[int], action: str, actor, reason: str = "", now: datetime | None = None
) -> ModerationResult:
    """Apply one moderation action to many posts; each changed post gets its own audit event.

    quality / reject (a reason is required) set the status; feature / home_page need a quality post and are
    skipped for others; rejecting also takes a post off the featured list and the home page.
    """
    if action not in MODERATION_ACTIONS:
        raise ValidationError(_("Unknown moderation action: %(action)s"), params={"action": action})
    reason = (reason or "").strip()
    if action == "reject" and not reason:
        raise ValidationError(_("A rejection needs a reason."))
    now = now or timezone.now()
    changed = skipped = 0
    posts = Post.objects.select_for_update(of=("self",)).select_related("campaign")  # the audit names the campaign
    for post in posts.filter(pk__in=post_ids).order_by("id"):
        before = {"status": post.status, "is_featured": post.is_featured, "is_home_page": post.is_home_page}
        if action == "quality":
            post.status, post.rejection_reason = Post.Status.QUALITY, ""
        elif action == "reject":
            post.status, post.rejection_reason = Post.Status.REJECTED, reason
            post.is_featured = post.is_home_page = False
        elif post.status != Post.Status.QUALITY and action in ("feature", "home_page"):
            skipped += 1
            continue
        else:
            field = "is_featured" if action in ("feature", "unfeature") else "is_home_page"
            setattr(post, field, not action.startswith("un"))
        after = {"status": post.status, "is_featured": post.is_featured, "is_home_page": post.is_home_page}
        if after == before and action != "reject":
            skipped += 1
            continue
        if action in ("quality", "reject"):
            post.reviewed_at, post.reviewed_by = now, actor
        post.save()
        audit_record(
            action=f"post.{action}",
            target=post,
            actor=actor,
            campaign=post.campaign,
            data={"before": before, "after": after, "reason": reason},
        )
        changed += 1
    return ModerationResult(changed=changed, skipped=skipped)


# --- import -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int


def _bounded_time(text: str, line: int, *, campaign: Campaign | None, now: datetime) -> tuple[datetime | None, list]:
    """An ISO 8601 time (a naive one read in the campaign's zone) within the input bounds, or why not."""
    try:
        moment = parse_datetime(text)
    except ValueError:  # well formed but no such day or hour, e.g. 2026-02-30
        moment = None
    if moment is None:
        return None, [
            _("line %(line)d: published_at %(value)s is not an ISO 8601 time") % {"line": line, "value": text[:40]}
        ]
    if timezone.is_naive(moment):
        if campaign is None:
            return None, []  # the unknown campaign is reported already
        moment = moment.replace(tzinfo=campaign.zone)
    if not instant_in_range(moment, now=now):
        message = _("line %(line)d: published_at %(value)s is out of range (%(earliest)s to now)")
        return None, [message % {"line": line, "value": text, "earliest": EARLIEST.date().isoformat()}]
    return moment, []


def _bounded_numbers(row: dict, line: int) -> tuple[dict, list[str]]:
    numbers, errors = {}, []
    for column in ENGAGEMENT_FIELDS:
        raw = (row.get(column) or "0").strip() or "0"
        if not (raw.isascii() and raw.isdigit()):
            errors.append(
                _("line %(line)d: %(column)s must be a whole number >= 0, got %(value)s")
                % {"line": line, "column": column, "value": raw[:40]}
            )
        elif len(raw) > 12 or not count_in_range(int(raw)):
            errors.append(
                _("line %(line)d: %(column)s %(value)s is out of range (at most %(max)s)")
                % {"line": line, "column": column, "value": raw[:40], "max": f"{MAX_COUNT:,}"}
            )
        else:
            numbers[column] = int(raw)
    raw = (row.get("copy_volume") or "0").strip() or "0"
    try:
        volume = Decimal(raw)
    except InvalidOperation:
        volume = None
    if volume is None or not volume.is_finite() or volume < 0:
        errors.append(
            _("line %(line)d: copy_volume must be a number >= 0, got %(value)s") % {"line": line, "value": raw[:40]}
        )
    elif not amount_in_range(volume):
        errors.append(
            _("line %(line)d: copy_volume %(value)s is out of range (at most %(max)s)")
            % {"line": line, "value": raw[:40], "max": f"{MAX_AMOUNT:,.0f}"}
        )
    else:
        numbers["copy_volume"] = volume.quantize(Decimal("0.01"))
    return numbers, errors


def _parse_row(row: dict, line: int, *, campaigns: dict, traders: dict, now: datetime) -> tuple[dict, list[str]]:
    errors = []
    clean: dict = {}
    for column in IMPORT_REQUIRED:
        if not (row.get(column) or "").strip():
            errors.append(_("line %(line)d: %(column)s is empty") % {"line": line, "column": column})
    if errors:
        return clean, errors
    campaign = campaigns.get(row["campaign"].strip())
    trader = traders.get(row["exchange_uid"].strip())
    if campaign is None:
        errors.append(_("line %(line)d: unknown campaign %(value)s") % {"line": line, "value": row["campaign"][:80]})
    if trader is None:
        errors.append(
            _("line %(line)d: unknown trader UID %(value)s") % {"line": line, "value": row["exchange_uid"][:80]}
        )
    url = row["url"].strip()
    try:
        URLValidator(schemes=["https", "http"])(url)
    except ValidationError:
        errors.append(_("line %(line)d: %(value)s is not a link") % {"line": line, "value": url[:200]})
    text = (row.get("text") or "").strip()
    if len(text) > MAX_TEXT:
        errors.append(_("line %(line)d: the text is longer than %(max)s characters") % {"line": line, "max": MAX_TEXT})
    published_at, time_errors = _bounded_time(row["published_at"].strip(), line, campaign=campaign, now=now)
    numbers, number_errors = _bounded_numbers(row, line)
    errors += time_errors + number_errors
    clean = {"campaign": campaign, "trader": trader, "url": url, "text": text}
    clean.update(published_at=published_at, engagement=numbers)
    return clean, errors


def posts_parse_csv(*, content: bytes | str) -> list[dict]:
    """Validate a whole posts CSV; any bad line raises ValidationError listing every problem, nothing is kept.

    Bounds (core.input_bounds): times from 2009-01-03 to now, counts up to 2,147,483,647, copy volume up to 10^15,
    text up to MAX_TEXT characters, no control characters but line breaks and tabs in the text.
    """
    if isinstance(content, bytes):
        try:
            content = content.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ValidationError(_("The file is not UTF-8 text.")) from exc
    records = csv_records(io.StringIO(content))
    first = next(records, None)
    if first is not None and first.cells is None:
        raise ValidationError(_("line %(line)d: %(problem)s") % {"line": 1, "problem": first.problem})
    header = [h.strip() for h in (first.cells if first else [])]
    if not header:
        raise ValidationError(_("The file is empty."))
    missing = [c for c in IMPORT_REQUIRED if c not in header]
    if missing:
        raise ValidationError(_("Missing columns: %(columns)s") % {"columns": ", ".join(missing)})
    raw_rows, errors = [], []
    for record in records:
        line, cells = record.line, record.cells
        if cells is None:
            errors.append(_("line %(line)d: %(problem)s") % {"line": line, "problem": record.problem})
        elif len(cells) > len(header):
            errors.append(_("line %(line)d: more fields than columns") % {"line": line})
        elif any(cell.strip() for cell in cells):
            row = dict(zip(header[: len(cells)], cells, strict=True))  # short lines: the missing columns are empty
            if any(has_control(value, multiline=name == "text") for name, value in row.items()):
                message = _("line %(line)d: remove the control characters (e.g. NUL) from the line")
                errors.append(message % {"line": line})
            else:
                raw_rows.append((line, row))
    if not raw_rows and not errors:
        raise ValidationError(_("The file has a header but no rows."))
    campaigns = {
        c.slug: c for c in Campaign.objects.filter(slug__in={(r.get("campaign") or "").strip() for _, r in raw_rows})
    }
    uids = {(r.get("exchange_uid") or "").strip() for _, r in raw_rows}
    traders = {t.exchange_uid: t for t in LeadTrader.objects.filter(exchange_uid__in=uids)}
    now = timezone.now()
    rows, seen = [], {}
    for line, raw in raw_rows:
        clean, row_errors = _parse_row(raw, line, campaigns=campaigns, traders=traders, now=now)
        errors += row_errors
        if not row_errors:
            key = (clean["campaign"].pk, clean["url"])
            if key in seen:
                errors.append(_("line %(line)d: same link as line %(other)d") % {"line": line, "other": seen[key]})
            seen[key] = line
            clean["line"] = line
            rows.append(clean)
    if errors:
        raise ValidationError(errors)
    return rows


@transaction.atomic
def posts_import(*, rows: list[dict], actor=None, on_row=None) -> ImportResult:
    """Create new posts and refresh the engagement numbers of known ones (same campaign and link): idempotent.

    New posts need their text and an enrolled trader; they are checked against every earlier post, including
    the ones earlier in the same file. Any error rolls the whole import back. `on_row()` is called once per row
    handled (a progress bar).
    """
    created = updated = 0
    errors = []
    new_rows = []
    known = {
        (post.campaign_id, post.url): post
        for post in Post.objects.filter(url__in={row["url"] for row in rows}).only(
            "id", "campaign_id", "url", "trader_id", *ENGAGEMENT_FIELDS, "copy_volume"
        )
    }
    for row in rows:
        existing = known.get((row["campaign"].pk, row["url"]))
        if on_row is not None and existing is not None:
            on_row()
        if existing is None:
            new_rows.append(row)
            continue
        if existing.trader_id != row["trader"].pk:
            errors.append(_("line %(line)d: the link belongs to another trader") % {"line": row["line"]})
            continue
        changes = {k: v for k, v in row["engagement"].items() if getattr(existing, k) != v}
        if changes:
            for key, value in changes.items():
                setattr(existing, key, value)
            existing.save(update_fields=list(changes))
            audit_record(
                action="post.engagement_imported",
                target=existing,
                actor=actor,
                campaign=row["campaign"],  # the known post's campaign (matched on it): no query per row
                data={k: str(v) for k, v in changes.items()},
            )
            updated += 1
    index = _index(campaign=new_rows[0]["campaign"]) if new_rows else None
    for row in sorted(new_rows, key=lambda r: r["published_at"]):
        if on_row is not None:
            on_row()
        if not row["text"]:
            errors.append(_("line %(line)d: a new post needs its text") % {"line": row["line"]})
            continue
        try:
            post_submit(
                campaign=row["campaign"],
                trader=row["trader"],
                url=row["url"],
                text=row["text"],
                published_at=row["published_at"],
                actor=actor,
                source=Post.Source.IMPORTED,
                engagement=row["engagement"],
                index=index,
            )
        except ValidationError as exc:
            errors += [_("line %(line)d: %(problem)s") % {"line": row["line"], "problem": m} for m in exc.messages]
            continue
        created += 1
    if errors:
        raise ValidationError(errors)
    return ImportResult(created=created, updated=updated)
