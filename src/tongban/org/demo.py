"""The demo organisation: a county government of about sixty people, a few of them abroad.

Loaded by `make run` (and `tongban demo`) into an empty database only, never into a real one.
Every demo account signs in with DEMO_PASSWORD.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from tongban.org.models import Department, Membership, Person, RoleAssignment
from tongban.org.pinyin import search_keys

DEMO_PASSWORD = "tongban-demo"  # noqa: S105 - the published demo password
ORG_NAME = "云溪县人民政府"
EMAIL_DOMAIN = "yunxi.gov.cn"


@dataclass
class P:
    username: str
    name: str
    title: str
    timezone: str = "Asia/Shanghai"
    hours: tuple[str, str] = ("08:30", "17:30")
    dept_admin: bool = False


@dataclass
class D:
    name: str
    people: list[P] = field(default_factory=list)
    children: list[D] = field(default_factory=list)


def _township(name: str, staff: list[P], villages: list[tuple[str, list[P]]]) -> D:
    return D(name, staff, [D(v, vp) for v, vp in villages])


DEMO = D(
    ORG_NAME,
    [P("zhangmingyuan", "张明远", "县长")],
    [
        D(
            "县政府办公室",
            [
                P("admin", "系统管理员", "信息化管理员"),
                P("wangjianguo", "王建国", "办公室主任", dept_admin=True),
                P("lixiuying", "李秀英", "办公室副主任"),
                P("zhaoli", "赵丽", "秘书科科长"),
                P("sunhao", "孙浩", "文秘"),
                P("zhouyang", "周洋", "督查专员"),
                P("wuting", "吴婷", "机要员"),
                P("zhengkai", "郑凯", "行政科科员"),
            ],
        ),
        D(
            "农业农村局",
            [
                P("chenzhiqiang", "陈志强", "局长", dept_admin=True),
                P("taohaifeng", "陶海锋", "农业综合执法大队副大队长"),
                P("huangmei", "黄梅", "种植业股股长"),
                P("yangfan", "杨帆", "畜牧兽医股科员"),
                P("xulei", "徐磊", "农机推广站站长"),
                P("hejing", "何静", "统计员"),
            ],
        ),
        D(
            "财政局",
            [
                P("linguohua", "林国华", "局长", dept_admin=True),
                P("guoxiaoyan", "郭晓燕", "预算股股长"),
                P("maqiang", "马强", "国库股科员"),
                P("luojuan", "罗娟", "会计"),
                P("liangyu", "梁宇", "出纳"),
            ],
        ),
        D(
            "大数据中心",
            [
                P("songjie", "宋杰", "主任", dept_admin=True),
                P("liufeng", "刘锋", "系统架构师"),
                P("hanxue", "韩雪", "数据分析师"),
                P("tangwei", "唐伟", "网络安全工程师"),
                P("fengying", "冯莹", "前端工程师"),
                P("dengchao", "邓超", "运维工程师"),
            ],
        ),
        D(
            "乡镇",
            [],
            [
                _township(
                    "城关镇",
                    [P("caoyong", "曹勇", "镇长"), P("pengli", "彭丽", "党政办主任")],
                    [("东街社区", [P("xiehua", "谢华", "社区主任")])],
                ),
                _township(
                    "莲台镇",
                    [P("zenglin", "曾琳", "镇长"), P("xiaobo", "萧波", "副镇长")],
                    [
                        ("莲台村", [P("nierongcheng", "聂荣成", "驻村干部")]),
                        ("荷塘村", [P("caiyun", "蔡云", "村支书")]),
                    ],
                ),
                _township(
                    "清溪镇",
                    [P("panjun", "潘军", "镇长"), P("dufang", "杜芳", "统计员")],
                    [("溪口村", [P("yuanming", "袁明", "村主任")])],
                ),
                _township(
                    "白马镇",
                    [P("jiangtao", "蒋涛", "镇长"), P("yechun", "叶春", "农业服务中心主任")],
                    [("马鞍村", [P("weidong", "魏东", "村支书")])],
                ),
                _township(
                    "石门乡",
                    [P("shantianfang", "单天放", "乡长"), P("jinxia", "金霞", "文书")],
                    [("石门村", [P("taiping", "邰平", "村主任")])],
                ),
                _township(
                    "凤凰乡",
                    [P("luhai", "卢海", "乡长"), P("qianli", "钱莉", "统计员")],
                    [("凤鸣村", [P("konglei", "孔磊", "村支书")])],
                ),
                _township(
                    "桃源乡",
                    [P("fanglin", "方林", "乡长"), P("shiyan", "石燕", "党政办主任")],
                    [("桃花村", [P("lvbin", "吕斌", "村主任")])],
                ),
                _township(
                    "龙潭乡",
                    [P("yaogang", "姚刚", "乡长"), P("tanmin", "谭敏", "统计员")],
                    [("龙井村", [P("laiqing", "赖庆", "村支书")])],
                ),
                _township(
                    "青山乡",
                    [P("renbo", "任波", "乡长"), P("xiongying", "熊英", "文书")],
                    [("青山村", [P("qinsong", "秦松", "村主任")])],
                ),
            ],
        ),
        D(
            "驻外联络处",
            [],
            [
                D(
                    "华沙联络点",
                    [
                        P("anna", "Anna Kowalska", "Liaison Officer", "Europe/Warsaw", ("09:00", "17:00")),
                        P("piotr", "Piotr Nowak", "Trade Assistant", "Europe/Warsaw", ("09:00", "17:00")),
                    ],
                ),
                D(
                    "新加坡联络点",
                    [
                        P("rachel", "Rachel Tan", "Liaison Officer", "Asia/Singapore", ("09:00", "18:00")),
                        P(
                            "weiming",
                            "Lim Wei Ming",
                            "Investment Adviser",
                            "Asia/Singapore",
                            ("09:00", "18:00"),
                        ),
                    ],
                ),
            ],
        ),
    ],
)


async def is_empty(session: AsyncSession) -> bool:
    return not await session.scalar(select(func.count()).select_from(Person))


async def load_demo(session: AsyncSession, password_hash: str) -> list[Person]:
    """Create the demo organisation. The caller checks `is_empty` first."""
    from tongban.auth.models import Credential  # the demo seeds sign-in too

    people: list[Person] = []
    heads: dict[int, Person] = {}
    counter = iter(range(1, 1000))

    async def add(node: D, parent: Department | None, parent_head: Person | None) -> None:
        dept = Department(name=node.name, parent_id=parent.id if parent else None, sort_order=next(counter))
        session.add(dept)
        await session.flush()
        dept.path = f"{parent.path if parent else '/'}{dept.id}/"
        head: Person | None = None
        for index, spec in enumerate(node.people):
            number = len(people) + 1
            pinyin_full, initials = search_keys(spec.name)
            person = Person(
                username=spec.username,
                name=spec.name,
                name_pinyin=pinyin_full,
                name_initials=initials,
                employee_no=f"YX{number:04d}",
                title=spec.title,
                mobile=f"1390{number:07d}",
                email=f"{spec.username}@{EMAIL_DOMAIN}",
                timezone=spec.timezone,
                locale="en-US" if spec.timezone.startswith("Europe") else "zh-CN",
                working_hours={"start": spec.hours[0], "end": spec.hours[1], "days": [1, 2, 3, 4, 5]},
                manager_id=(
                    head.id
                    if head and spec.username != "admin"
                    else (parent_head.id if parent_head else None)
                ),
            )
            session.add(person)
            await session.flush()
            session.add(Membership(person_id=person.id, department_id=dept.id, is_primary=True))
            session.add(Credential(person_id=person.id, password_hash=password_hash))
            if spec.dept_admin:
                session.add(RoleAssignment(person_id=person.id, role="dept_admin", department_id=dept.id))
            if spec.username == "admin":
                session.add(RoleAssignment(person_id=person.id, role="org_admin", department_id=None))
            # The first person heads the department (the admin account never heads one).
            if (index == 0 and spec.username != "admin") or (index == 1 and head is None):
                head = person
            people.append(person)
        if head is not None:
            dept.head_id = head.id
            heads[dept.id] = head
        for child in node.children:
            await add(child, dept, head or parent_head)

    await add(DEMO, None, None)
    await session.flush()
    return people


async def welcome(session: AsyncSession, people: list[Person]) -> None:
    """Greet every demo account in its own language, the way a new member is greeted."""
    from tongban.notify.service import notify  # org does not depend on notify outside the demo

    chinese = [p.id for p in people if p.locale != "en-US"]
    english = [p.id for p in people if p.locale == "en-US"]
    if chinese:
        await notify(
            session,
            chinese,
            capability="org",
            title="欢迎使用通办",
            body=f"你已加入「{ORG_NAME}」。在通讯录里可以按姓名、拼音或首字母查找同事。",
            link="/org",
        )
    if english:
        await notify(
            session,
            english,
            capability="org",
            title="Welcome to Tongban",
            body=f"You have joined {ORG_NAME}. Find colleagues in Contacts by name or pinyin initials.",
            link="/org",
        )
