"""The demo data set: realistic users, two jobs and a dozen candidates in every state."""

import random
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta

import sqlalchemy as sa

from scorecard.extensions import db
from scorecard.models import (
    Application,
    ApplicationStatus,
    Candidate,
    InterviewStatus,
    Job,
    JobRole,
    RedFlag,
    Role,
    Round,
    Scorecard,
    User,
    utcnow,
)
from scorecard.services import jobs as job_service
from scorecard.services import scheduling
from scorecard.services import scorecards as card_service

DEMO_PASSWORD = "scorecard-demo"  # noqa: S105 - published demo credentials
DEMO_USERS = [
    ("admin@demo.test", "管理员 Admin", Role.ADMIN),
    ("hr@demo.test", "王敏 Wang Min", Role.HR),
    ("manager@demo.test", "李强 Li Qiang", Role.MANAGER),
    ("interviewer1@demo.test", "张伟 Zhang Wei", Role.INTERVIEWER),
    ("interviewer2@demo.test", "刘洋 Liu Yang", Role.INTERVIEWER),
    ("interviewer3@demo.test", "陈静 Chen Jing", Role.INTERVIEWER),
    ("interviewer4@demo.test", "赵磊 Zhao Lei", Role.INTERVIEWER),
]

SECOND_JOB = {
    "job": {
        "title": {"zh": "医院信息系统运维工程师", "en": "Hospital IT Operations Engineer"},
        "description": {
            "zh": "负责HIS/LIS/PACS等系统的日常运维、故障排查与值班响应。",
            "en": "Runs HIS/LIS/PACS systems day to day: monitoring, troubleshooting, on-call.",
        },
    },
    "rounds": [
        {
            "key": "screen",
            "weight": 1,
            "name": {"zh": "电话初筛", "en": "Phone screen"},
            "focus": {"zh": "动机、沟通与值班意愿。", "en": "Motivation, communication, on-call."},
            "criteria": [
                {
                    "key": "communication",
                    "dimension": "attitude",
                    "weight": 1,
                    "must_have": True,
                    "name": {"zh": "沟通表达", "en": "Communication"},
                    "description": {"zh": "表达清晰、倾听。", "en": "Clear, listens."},
                    "anchors": {
                        "1": {"zh": "答非所问。", "en": "Does not answer the question."},
                        "2": {"zh": "需要多次追问。", "en": "Needs repeated prompting."},
                        "3": {"zh": "清楚、有条理。", "en": "Clear and orderly."},
                        "4": {
                            "zh": "简洁准确，善于确认理解。",
                            "en": "Concise, checks mutual understanding.",
                        },
                    },
                },
                {
                    "key": "on_call",
                    "dimension": "attitude",
                    "weight": 1,
                    "name": {"zh": "值班与责任心", "en": "On-call ownership"},
                    "description": {"zh": "愿意承担夜间值班。", "en": "Owns night on-call duty."},
                    "anchors": {
                        "1": {"zh": "拒绝值班。", "en": "Refuses on-call."},
                        "2": {"zh": "勉强接受。", "en": "Accepts reluctantly."},
                        "3": {
                            "zh": "理解并接受值班安排。",
                            "en": "Understands and accepts on-call.",
                        },
                        "4": {
                            "zh": "有值班经验并能复盘改进。",
                            "en": "Has run on-call and improved it.",
                        },
                    },
                },
            ],
            "questions": [
                {
                    "key": "why_ops",
                    "criterion": "communication",
                    "star": False,
                    "text": {"zh": "为什么选择医院运维工作？", "en": "Why hospital IT operations?"},
                    "guidance": {"zh": "动机真实具体。", "en": "A real, specific motivation."},
                }
            ],
        },
        {
            "key": "technical",
            "weight": 2,
            "name": {"zh": "技术面", "en": "Technical interview"},
            "focus": {
                "zh": "故障排查与数据库运维。",
                "en": "Troubleshooting and database operations.",
            },
            "criteria": [
                {
                    "key": "troubleshooting",
                    "dimension": "technical",
                    "weight": 2,
                    "must_have": True,
                    "name": {"zh": "故障排查", "en": "Troubleshooting"},
                    "description": {"zh": "日志分析与定位。", "en": "Reads logs, isolates faults."},
                    "anchors": {
                        "1": {"zh": "无排查思路。", "en": "No approach to a fault."},
                        "2": {"zh": "只会重启。", "en": "Only restarts things."},
                        "3": {
                            "zh": "按日志逐层定位。",
                            "en": "Narrows down layer by layer from logs.",
                        },
                        "4": {
                            "zh": "定位迅速并提出根因改进。",
                            "en": "Finds root causes fast, prevents repeats.",
                        },
                    },
                },
                {
                    "key": "database_ops",
                    "dimension": "technical",
                    "weight": 1,
                    "name": {"zh": "数据库运维", "en": "Database operations"},
                    "description": {
                        "zh": "备份恢复、性能。",
                        "en": "Backup, restore, performance.",
                    },
                    "anchors": {
                        "1": {"zh": "不了解备份。", "en": "Knows nothing of backups."},
                        "2": {"zh": "知道概念但没做过。", "en": "Knows the idea, never done it."},
                        "3": {"zh": "做过备份恢复演练。", "en": "Has run restore drills."},
                        "4": {
                            "zh": "设计过备份策略并验证。",
                            "en": "Designed and verified a backup policy.",
                        },
                    },
                },
            ],
            "questions": [
                {
                    "key": "outage",
                    "criterion": "troubleshooting",
                    "star": True,
                    "text": {
                        "zh": "讲一次你处理的系统故障。",
                        "en": "Tell us about an outage you handled.",
                    },
                    "guidance": {
                        "zh": "STAR完整，结果量化。",
                        "en": "Full STAR, quantified result.",
                    },
                }
            ],
        },
    ],
    "red_flags": [],
}

NOTES_HIGH = [
    "用具体案例说明了HIS接口对接的排查过程，细节充分。",
    "Explained a SQL Server restore drill step by step, with timings.",
    "主动提到上线后的用户满意度回访，结果有数据。",
    "Showed real empathy for the nurses' workflow; concrete fixes.",
]
NOTES_LOW = [
    "说不出项目中的具体难点和解决方法。",
    "Blamed the hospital's IT team for the outage; no own action.",
    "对备份恢复只有概念，没有实际操作经验。",
    "Could not describe any clinical workflow.",
]


def seed_demo(log: Callable[[str], None] = print) -> bool:
    """Create the demo once. Returns False (and changes nothing) if it already exists."""
    if db.session.scalar(sa.select(User.id).where(User.email == "admin@demo.test")):
        log("Demo data already present: nothing changed.")
        return False
    rng = random.Random(20261129)
    users = {}
    for email, name, role in DEMO_USERS:
        user = User(email=email, name=name, role=role)
        user.set_password(DEMO_PASSWORD)
        db.session.add(user)
        users[email.split("@")[0]] = user
    db.session.flush()
    hr, manager = users["hr"], users["manager"]
    iv1, iv2, iv3, iv4 = (users[f"interviewer{i}"] for i in range(1, 5))

    job = job_service.create_job_from_template(job_service.default_template(), hr)
    job2 = job_service.create_job_from_template(SECOND_JOB, hr)
    for target, interviewers in ((job, (iv1, iv2, iv3, iv4)), (job2, (iv1, iv2, iv3))):
        job_service.add_member(target, hr, JobRole.RECRUITER, None)
        job_service.add_member(target, manager, JobRole.HIRING_MANAGER, None)
        for person in interviewers:
            job_service.add_member(target, person, JobRole.INTERVIEWER, None)
    rounds = {r.key: r for r in job.rounds}
    hr_r, tech_r, exec_r = rounds["hr_screen"], rounds["technical"], rounds["executive"]
    panels = {"hr_screen": [iv3, iv4], "technical": [iv1, iv2], "executive": [iv4, iv3]}

    now = utcnow().replace(minute=0, second=0, microsecond=0)
    day = timedelta(days=1)

    def applicant(name: str, note: str, target: Job = job, source: str = "Boss直聘") -> Application:
        slug = uuid.uuid5(uuid.NAMESPACE_DNS, name).hex[:8]
        cand = Candidate(
            name=name,
            email=f"{slug}@example.com",
            phone=f"138{rng.randrange(10**7, 10**8)}",
            source=source,
            note=note,
        )
        app = Application(candidate=cand, job=target, current_round=target.rounds[0])
        db.session.add_all([cand, app])
        db.session.flush()
        return app

    def interview(app: Application, rnd: Round, when: datetime, panel: list[User]):
        app.current_round = rnd
        return scheduling.schedule_interview(app, rnd, when, panel, hr, location="3F 会议室A")

    def score(card: Scorecard, quality: float, overrides=None, submit=True, flags=()):
        overrides = overrides or {}
        for crit in card.version.criteria:
            if crit.key in overrides:
                value = overrides[crit.key]
            else:
                value = max(1, min(4, round(quality + rng.gauss(0, 0.55))))
            note = ""
            if value in (1, 4):
                note = rng.choice(NOTES_HIGH if value == 4 else NOTES_LOW)
            elif rng.random() < 0.3:
                note = rng.choice(NOTES_HIGH + NOTES_LOW)
            card_service.set_rating(card, crit.id, value, note)
        card.overall = max(1, min(4, round(quality + rng.gauss(0, 0.3))))
        card.takeaways = "整体表现与评分一致。" if quality >= 2.75 else "关键能力存在明显短板。"
        if flags:
            card.red_flags = [f for f in job.red_flags if f.key in flags]
        db.session.flush()
        db.session.refresh(card)
        if submit:
            card_service.submit(card, uuid.uuid4().hex, card.interviewer)

    def full_round(app, rnd, when, quality, overrides=None, flags=()):
        iv = interview(app, rnd, when, panels[rnd.key])
        for card in iv.scorecards:
            score(card, quality, (overrides or {}).get(card.interviewer.email), flags=flags)
        return iv

    # 1. New applicant, nothing scheduled yet.
    applicant("周婷", "三年HIS实施经验，熟悉门诊挂号与收费模块。")
    # 2. HR screen booked for tomorrow.
    app = applicant("吴昊", "计算机专业应届毕业生，实习做过LIS接口测试。", source="校园招聘")
    interview(app, hr_r, now + day + timedelta(hours=2), panels["hr_screen"])
    # 3. Today's technical interview: interviewer2 has submitted with notes, interviewer1 has not.
    app = applicant("郑洁", "五年EMR实施，带过三甲医院门诊上线，熟悉HL7 v2。", source="内推")
    full_round(app, hr_r, now - 6 * day, 3.2)
    iv = interview(app, tech_r, now, panels["technical"])
    for card in iv.scorecards:
        if card.interviewer is iv2:
            score(card, 3.3, {"database": 4})
        else:
            score(card, 3.0, submit=False)
            for rating in card.ratings[3:]:
                rating.value = None
    # 4. HR screen two days ago; both drafts unfinished (overdue).
    app = applicant("孙磊", "两年PACS运维，想转实施方向。")
    iv = interview(app, hr_r, now - 2 * day, panels["hr_screen"])
    for card in iv.scorecards:
        score(card, 2.8, submit=False)
    # 5. Fully scored, strong.
    app = applicant("钱芳", "临床医学本科，后在信息科做HIS维护四年。", source="猎头")
    full_round(app, hr_r, now - 20 * day, 3.5)
    full_round(app, tech_r, now - 14 * day, 3.4)
    full_round(app, exec_r, now - 7 * day, 3.5)
    # 6. Fully scored with a panel disagreement in the technical round.
    app = applicant("冯超", "做过区域卫生信息平台对接，数据迁移经验丰富。")
    full_round(app, hr_r, now - 18 * day, 3.0)
    full_round(
        app,
        tech_r,
        now - 12 * day,
        3.0,
        {
            "interviewer1@demo.test": {"integration": 4},
            "interviewer2@demo.test": {"integration": 1},
        },
    )
    full_round(app, exec_r, now - 5 * day, 3.0)
    # 7. Veto: integrity rated 1 with a note in the executive round.
    app = applicant("何静", "简历写有多个三甲医院项目，时间线有重叠。")
    full_round(app, hr_r, now - 16 * day, 3.1)
    full_round(app, tech_r, now - 10 * day, 3.0)
    iv = full_round(
        app,
        exec_r,
        now - 4 * day,
        3.0,
        {"interviewer4@demo.test": {"integrity": 1}},
        flags=("no_project_detail",),
    )
    # 8. Below the must-have hurdle on databases.
    app = applicant("马骏", "主要做前端开发，接触过少量医疗项目。")
    full_round(app, hr_r, now - 15 * day, 2.8, flags=("tech_only",))
    full_round(
        app,
        tech_r,
        now - 9 * day,
        2.4,
        {"interviewer1@demo.test": {"database": 2}, "interviewer2@demo.test": {"database": 2}},
        flags=("no_project_detail",),
    )
    # 9. Passed the HR screen; technical interview next week.
    app = applicant("高原", "熟悉Oracle与医保接口，做过两家二甲医院上线。")
    full_round(app, hr_r, now - 3 * day, 3.3)
    interview(app, tech_r, now + 6 * day, panels["technical"])
    # 10. Rejected after the HR screen.
    app = applicant("林晓", "培训讲师背景，无实施经验。", source="招聘网站")
    full_round(app, hr_r, now - 25 * day, 1.9, flags=("etiquette_lapse", "no_company_research"))
    app.status = ApplicationStatus.REJECTED
    app.closed_at = now - 24 * day
    # 11. Cancelled interview: its draft is kept.
    app = applicant("罗敏", "三年LIS实施，目前在职，时间不便。")
    iv = interview(app, hr_r, now - 1 * day, panels["hr_screen"])
    score(iv.scorecards[0], 3.0, submit=False)
    iv.status = InterviewStatus.CANCELLED
    # 12. Fully scored, strong hire material.
    app = applicant("梁宇", "八年医疗信息化，主导过EMR+PACS整体上线，FHIR实践。", source="内推")
    full_round(app, hr_r, now - 30 * day, 3.7)
    full_round(app, tech_r, now - 26 * day, 3.7)
    full_round(app, exec_r, now - 21 * day, 3.6)

    # The second job: interviewer4 is not on its panel.
    for name, note, quality in (
        ("黄磊", "五年机房与HIS运维，持有RHCE。", 3.2),
        ("许娜", "医院信息科两年，负责LIS日常维护。", None),
        ("邓刚", "网络工程师背景。", None),
    ):
        app = applicant(name, note, target=job2)
        if quality is not None:
            iv = interview(app, job2.rounds[0], now - 3 * day, [iv1, iv2])
            for card in iv.scorecards:
                score(card, quality)
    db.session.flush()
    log("Demo data created.")
    return True


def demo_logins() -> list[tuple[str, str]]:
    """The demo e-mail addresses with their role, for printing."""
    return [(email, role.value) for email, _name, role in DEMO_USERS]


__all__ = ["DEMO_PASSWORD", "RedFlag", "demo_logins", "seed_demo"]
