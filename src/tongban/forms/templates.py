"""Templates shipped with the product: an app with one published form each, installed in one click.

They are also the forms the approvals capability will put flows on (leave, trips, vehicles, boats).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from tongban.core.errors import NotFound
from tongban.core.permissions import Actor
from tongban.forms import service
from tongban.forms.models import FormApp
from tongban.forms.schema import FormSchema
from tongban.forms.schemas import AppCreate, FormCreate, TemplateRead


def _f(key: str, type_: str, zh: str, en: str, **extra: Any) -> dict[str, Any]:
    return {"key": key, "type": type_, "label": {"zh": zh, "en": en}, **extra}


def _options(*items: tuple[str, str, str, str]) -> list[dict[str, Any]]:
    return [{"value": v, "label": {"zh": zh, "en": en}, "color": c} for v, zh, en, c in items]


@dataclass(frozen=True)
class Template:
    key: str
    name: str
    name_en: str
    description: str
    icon: str
    form_name: str
    form_name_en: str
    fields: list[dict[str, Any]]


CROPS = _options(
    ("rice", "水稻", "Rice", "#52c41a"),
    ("wheat", "小麦", "Wheat", "#faad14"),
    ("cabbage", "白菜", "Cabbage", "#13c2c2"),
    ("other", "其他", "Other", "#8c8c8c"),
)

TEMPLATES: dict[str, Template] = {
    t.key: t
    for t in [
        Template(
            "disaster",
            "灾情统计",
            "Disaster statistics",
            "各乡镇上报农作物受灾面积与损失，实时汇总",
            "alert",
            "农作物灾情统计表",
            "Crop damage report",
            [
                _f("township", "department", "乡镇", "Township", required=True, default="$my_department"),
                _f(
                    "crops",
                    "subtable",
                    "受灾作物",
                    "Affected crops",
                    min_rows=1,
                    max_rows=20,
                    fields=[
                        _f("crop", "select", "作物", "Crop", required=True, options=CROPS),
                        _f(
                            "area",
                            "number",
                            "受灾面积",
                            "Affected area",
                            required=True,
                            min=0,
                            unit="亩",
                            precision=2,
                        ),
                        _f(
                            "loss",
                            "money",
                            "预计损失",
                            "Estimated loss",
                            required=True,
                            min=0,
                            unit="元",
                            precision=2,
                        ),
                    ],
                ),
                _f(
                    "total_area",
                    "formula",
                    "受灾面积合计",
                    "Total area",
                    formula="SUM(crops.area)",
                    unit="亩",
                ),
                _f("total_loss", "formula", "损失合计", "Total loss", formula="SUM(crops.loss)", unit="元"),
                _f("photos", "image", "现场照片", "Photos", max_length=9),
                _f("remarks", "textarea", "备注", "Remarks", max_length=1000),
            ],
        ),
        Template(
            "leave",
            "请假申请",
            "Leave request",
            "请假类型、起止日期与事由",
            "calendar",
            "请假申请单",
            "Leave request",
            [
                _f(
                    "kind",
                    "select",
                    "请假类型",
                    "Type of leave",
                    required=True,
                    options=_options(
                        ("annual", "年假", "Annual", "#1677ff"),
                        ("sick", "病假", "Sick", "#fa541c"),
                        ("personal", "事假", "Personal", "#722ed1"),
                        ("other", "其他", "Other", "#8c8c8c"),
                    ),
                ),
                _f("dates", "daterange", "起止日期", "Dates", required=True),
                _f("days", "number", "请假天数", "Days", required=True, min=0.5, max=365, precision=1),
                _f("reason", "textarea", "请假事由", "Reason", required=True, max_length=500),
                _f("department", "department", "所在部门", "Department", default="$my_department"),
                _f("attachments", "attachment", "附件", "Attachments", max_length=5),
            ],
        ),
        Template(
            "trip",
            "出差申请",
            "Business trip",
            "出差地点、时间、事由与预算",
            "car",
            "出差申请单",
            "Business trip request",
            [
                _f("destination", "text", "出差地点", "Destination", required=True, max_length=100),
                _f("dates", "daterange", "出差日期", "Dates", required=True),
                _f("purpose", "textarea", "出差事由", "Purpose", required=True, max_length=500),
                _f("companions", "member", "同行人", "Travelling with"),
                _f("budget", "money", "预算", "Budget", min=0, unit="元", precision=2),
            ],
        ),
        Template(
            "vehicle",
            "用车申请",
            "Vehicle request",
            "用车时间、地点、人数与事由",
            "car",
            "用车申请单",
            "Vehicle request",
            [
                _f("start", "datetime", "用车时间", "From", required=True),
                _f("end", "datetime", "还车时间", "Until", required=True),
                _f("from_place", "text", "出发地", "From", required=True, max_length=100),
                _f("to_place", "text", "目的地", "To", required=True, max_length=100),
                _f(
                    "passengers",
                    "number",
                    "乘车人数",
                    "Passengers",
                    required=True,
                    min=1,
                    max=60,
                    precision=0,
                ),
                _f("purpose", "textarea", "用车事由", "Purpose", required=True, max_length=500),
                _f("driver_needed", "boolean", "需要驾驶员", "Driver needed"),
            ],
        ),
        Template(
            "boat",
            "用船申请",
            "Boat request",
            "执法船只的使用时间、海域、人数与事由",
            "boat",
            "用船申请单",
            "Boat request",
            [
                _f("start", "datetime", "出航时间", "Departure", required=True),
                _f("end", "datetime", "返航时间", "Return", required=True),
                _f("area", "text", "作业海域", "Sea area", required=True, max_length=100),
                _f(
                    "crew", "number", "随船人数", "People on board", required=True, min=1, max=50, precision=0
                ),
                _f(
                    "purpose",
                    "select",
                    "用途",
                    "Purpose",
                    required=True,
                    options=_options(
                        ("patrol", "巡查执法", "Patrol", "#1677ff"),
                        ("rescue", "应急救援", "Rescue", "#f5222d"),
                        ("survey", "勘查", "Survey", "#13c2c2"),
                    ),
                ),
                _f("notes", "textarea", "说明", "Notes", max_length=500),
                _f("location", "location", "出发码头", "Departure pier"),
            ],
        ),
        Template(
            "report",
            "信息报送",
            "Information report",
            "每日/每周信息报送",
            "file",
            "信息报送表",
            "Information report",
            [
                _f("date", "date", "报送日期", "Date", required=True, default="$today"),
                _f(
                    "department",
                    "department",
                    "报送单位",
                    "Department",
                    required=True,
                    default="$my_department",
                ),
                _f("title", "text", "标题", "Title", required=True, max_length=100),
                _f("content", "textarea", "内容", "Content", required=True, max_length=5000),
                _f(
                    "level",
                    "select",
                    "紧急程度",
                    "Urgency",
                    options=_options(
                        ("normal", "一般", "Normal", "#52c41a"),
                        ("urgent", "紧急", "Urgent", "#f5222d"),
                    ),
                ),
                _f("attachments", "attachment", "附件", "Attachments", max_length=5),
            ],
        ),
    ]
}


def list_templates(locale_en: bool = False) -> list[TemplateRead]:
    return [
        TemplateRead(
            key=t.key,
            name=t.name,
            name_en=t.name_en,
            description=t.description,
            icon=t.icon,
            field_count=len(t.fields),
        )
        for t in TEMPLATES.values()
    ]


async def do_install(session: AsyncSession, actor: Actor, key: str) -> FormApp:
    """Create the template's app with its form, published, owned by the caller."""
    template = TEMPLATES.get(key)
    if template is None:
        raise NotFound("template_not_found")
    app = await service.do_create_app(
        session,
        actor,
        AppCreate(
            name=template.name, name_en=template.name_en, description=template.description, icon=template.icon
        ),
        template=key,
    )
    form = await service.do_create_form(
        session,
        actor,
        app.id,
        FormCreate(
            name=template.form_name,
            name_en=template.form_name_en,
            schema_=FormSchema.model_validate({"fields": template.fields}),
        ),
    )
    await service.do_publish(session, actor, form.id)
    return app
