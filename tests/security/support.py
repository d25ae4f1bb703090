"""Builders the security tests share: a signed-in trader enrolled in phase 2 (Asia/Shanghai), CSV files."""

from django.contrib.auth.models import User

from campaigns.models import Campaign
from tests.payouts_helpers import phase2, trader
from traders.models import LeadTrader

PASSWORD = "pw-for-security-tests-only"
POSTS_HEADER = "campaign,exchange_uid,url,text,published_at,views,likes,comments,shares,followers_gained,copy_volume\n"
ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}


def signed_in_poster(client, name: str = "Alice") -> tuple[Campaign, LeadTrader]:
    """Phase 2 (Shanghai time), a trader approved in it, and `client` signed in as that trader."""
    campaign = phase2()
    who = trader(name, campaign=campaign)
    who.user = User.objects.create_user(name.lower(), password=PASSWORD)
    who.save()
    client.force_login(who.user)
    return campaign, who


def write(tmp_path, text: str, name: str = "file.csv") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def admin_form_data(response) -> dict:
    """The POST data an operator's browser sends back from an admin change page, unchanged: the main form, and the
    management form and rows of every inline."""
    from django.forms import SplitDateTimeWidget

    forms = [response.context["adminform"].form]
    for inline in response.context.get("inline_admin_formsets", []):
        forms += [inline.formset.management_form, *inline.formset.forms]
    data = {}
    for form in forms:
        for field in form:
            value = field.value()
            if isinstance(field.field.widget, SplitDateTimeWidget):
                day, time = (value or [None, None]) if isinstance(value, list) else (value, value)
                data[f"{field.html_name}_0"] = day.strftime("%Y-%m-%d") if hasattr(day, "strftime") else (day or "")
                data[f"{field.html_name}_1"] = time.strftime("%H:%M:%S") if hasattr(time, "strftime") else (time or "")
            elif isinstance(value, bool):
                if value:
                    data[field.html_name] = "on"
            elif isinstance(value, list | tuple):
                data[field.html_name] = [str(v) for v in value]
            elif value is not None:
                data[field.html_name] = str(value)
    return data
