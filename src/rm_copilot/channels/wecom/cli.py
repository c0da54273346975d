"""`rm-copilot wecom …`: 企业群发 from a finished campaign, its results, and today's opportunities pushed
to advisors as WeCom cards. Only option parsing and printing; the WeCom channel's services decide."""
from __future__ import annotations

import functools
import json
from typing import Annotated, Any

import typer

from rm_copilot.errors import BadInput, NotFound

wecom_app = typer.Typer(help="企业微信：企业群发（客户经理在企业微信中确认后发出）、今日商机卡片推送。", no_args_is_help=True)
STATUS_LABELS = {"pending": "待确认", "sent": "已发送", "failed": "发送失败", "excluded": "未纳入"}


def register(app: typer.Typer) -> None:
    app.add_typer(wecom_app, name="wecom")


def _services_and_client():
    from rm_copilot.channels.cli.assistant import _ready_services
    from rm_copilot.config import get_settings
    from rm_copilot.services import wecom_client, wecom_configured

    if not wecom_configured(get_settings()):
        raise BadInput("企业微信未配置：请设置 RM_COPILOT_WECOM_TOKEN、_AES_KEY、_CORP_ID、_AGENT_ID、_SECRET")
    services = _ready_services(index=False)
    return services, wecom_client(services.settings)


def _wecom(call: Any) -> Any:
    from rm_copilot.channels.wecom.client import WeComApiError
    from rm_copilot.channels.wecom.mass import MassSendFailed

    try:
        return call()
    except MassSendFailed as error:
        partial = f"；已创建的任务请用 rm-copilot wecom mass-status {error.mass_id} 查询" if error.mass_id else ""
        raise BadInput(f"企业微信接口调用失败（错误码 {error.errcode}）{partial}") from None
    except WeComApiError as error:
        raise BadInput(f"企业微信接口调用失败（错误码 {error.errcode}）") from None


def _print(result: dict[str, Any], as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps(result, ensure_ascii=False))
        return
    counts = "，".join(f"{STATUS_LABELS[k]} {v}" for k, v in result["counts"].items())
    typer.echo(f"群发任务 {result['id']}（发送人 {result['sender']}）：{counts}")
    for task in result.get("tasks") or []:
        typer.echo(f"  企业微信任务 {task['msgid']}：{task['recipients']} 位客户，请在企业微信“客户联系”中确认发送")
    for row in result["excluded"]:
        typer.echo(f"  未纳入 {row['customer_id']}：{row['reason']}")
    for row in result["recipients"]:
        if row["status"] == "failed":
            typer.echo(f"  发送失败 {row['customer_id']}：{row['reason']}")


@wecom_app.command("mass-send")
def mass_send(
    campaign: Annotated[str, typer.Option("--campaign", help="已完成的批量话术任务编号（POST /api/v1/campaigns 返回的 id）")],
    as_json: Annotated[bool, typer.Option("--json", help="输出与 POST /api/v1/wecom/mass-messages 相同的 JSON")] = False,
) -> None:
    """把批量话术任务中通过合规的话术创建为企业群发任务（仅限已授权营销、是企业微信外部联系人、未超每周上限的客户）。

    Example usage:

        rm-copilot wecom mass-send --campaign 3f2a9c0d1e4b5a67
    """
    from rm_copilot.channels.wecom.mass_sources import campaign_candidates, campaign_owner, campaign_source

    services, client = _services_and_client()
    advisor = services.customers.advisor(campaign_owner(services.session_factory, campaign))
    job, rows = campaign_source(services.session_factory)(campaign, advisor.id)
    messenger = services.wecom_mass_messenger(client)
    _print(_wecom(lambda: messenger.create(advisor, campaign_candidates(job, rows), campaign_id=campaign)), as_json)


@wecom_app.command("mass-status")
def mass_status(
    mass_id: Annotated[str, typer.Argument(help="群发任务编号（mass-send 输出的编号）")],
    as_json: Annotated[bool, typer.Option("--json", help="输出与 GET /api/v1/wecom/mass-messages/{id} 相同的 JSON")] = False,
) -> None:
    """向企业微信拉取群发结果；新发出的客户记为“已发送”结果。

    Example usage:

        rm-copilot wecom mass-status 5c4943da2bab45f7
    """
    from rm_copilot.channels.wecom.models import WeComMassMessage

    services, client = _services_and_client()
    with services.session_factory() as session:
        mass = session.get(WeComMassMessage, mass_id)
    if mass is None:
        raise NotFound(f"没有找到群发任务 {mass_id[:16]}")
    _print(_wecom(lambda: services.wecom_mass_messenger(client).refresh(mass.advisor_id, mass_id)), as_json)


@wecom_app.command("push-today")
def push_today(
    advisor: Annotated[str | None, typer.Option("--advisor", help="只推送给这位客户经理；默认推送给所有已绑定企业微信的客户经理")] = None,
) -> None:
    """把今日商机以企业微信卡片推送给客户经理（每张卡片可一键生成话术、记录结果）。

    Example usage:

        rm-copilot wecom push-today --advisor A001
    """
    services, client = _services_and_client()
    feedback = services.wecom_feedback(client)
    advisors = [services.customers.advisor(advisor)] if advisor else services.customers.advisors()
    for person in advisors:
        if not person.wecom_userid:
            typer.echo(f"{person.id}：未绑定企业微信，跳过")
            continue
        text, cards = feedback.today(person.id)
        _wecom(functools.partial(client.send_text, person.wecom_userid, text))
        sent = _wecom(functools.partial(feedback.send, person.wecom_userid, cards))
        typer.echo(f"{person.id}：已推送 1 条摘要和 {sent} 张商机卡片")
