"""The demo data set: realistic users, two jobs and a dozen candidates in every state, as a
fortnight of hiring (see `seed_demo`)."""

import random
import uuid
from collections.abc import Callable
from datetime import datetime, time, timedelta

import sqlalchemy as sa

from scorecard.extensions import db
from scorecard.models import (
    Application,
    Candidate,
    Interview,
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
from scorecard.services import decisions, scheduling
from scorecard.services import scorecards as card_service
from scorecard.services.setup.job_template import create_job_from_template, default_template
from scorecard.services.setup.team import add_member
from scorecard.timeutil import to_local, to_utc

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


# Working hours in the configured time zone: interviews start 09:00–17:00 and end by 18:00.
WORK_START, WORK_END = 9, 18


def seed_demo(log: Callable[[str], None] = print) -> bool:
    """Create the demo once. Returns False (and changes nothing) if it already exists.

    The story is a fortnight of hiring for the guide's job: interviews in working hours in the
    configured time zone over the past two weeks and the coming week; scorecards submitted a
    few hours to two days after their interview (孙磊's two are overdue on purpose, and
    interviewer1 still owes today's); the hiring manager's round decision, with its rationale,
    for every round a candidate has moved past (and for the rejections); one hire.
    """
    if db.session.scalar(sa.select(User.id).where(User.email == "admin@demo.test")):
        log("Demo data already present: nothing changed.")
        return False
    rng = random.Random(20261129)  # ratings and notes: the same demo on every machine
    clock = random.Random(20261130)  # feedback and decision delays, apart from the ratings
    users = {}
    for email, name, role in DEMO_USERS:
        user = User(email=email, name=name, role=role)
        user.set_password(DEMO_PASSWORD)
        db.session.add(user)
        users[email.split("@")[0]] = user
    db.session.flush()
    hr, manager = users["hr"], users["manager"]
    iv1, iv2, iv3, iv4 = (users[f"interviewer{i}"] for i in range(1, 5))

    job = create_job_from_template(default_template(), hr)
    job2 = create_job_from_template(SECOND_JOB, hr)
    for target, interviewers in ((job, (iv1, iv2, iv3, iv4)), (job2, (iv1, iv2, iv3))):
        add_member(target, hr, JobRole.RECRUITER, None)
        add_member(target, manager, JobRole.HIRING_MANAGER, None)
        for person in interviewers:
            add_member(target, person, JobRole.INTERVIEWER, None)
    rounds = {r.key: r for r in job.rounds}
    hr_r, tech_r, exec_r = rounds["hr_screen"], rounds["technical"], rounds["executive"]
    panels = {"hr_screen": [iv3, iv4], "technical": [iv1, iv2], "executive": [iv4, iv3]}

    now = utcnow().replace(microsecond=0)
    today = to_local(now).date()

    def at(days: int, hour: int, minute: int = 0) -> datetime:
        """A local wall-clock time `days` from today, as naive UTC."""
        return to_utc(datetime.combine(today + timedelta(days=days), time(hour, minute)))

    # Today's interview has just ended if the working day allows (so a colleague can have
    # submitted already); before 11:00 it is the day's first slot.
    local_hour = to_local(now).hour
    today_slot = at(0, min(max(local_hour - 2, WORK_START), WORK_END - 2))

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
        iv = scheduling.schedule_interview(app, rnd, when, panel, hr, location="3F 会议室A")
        booked = min(when, now) - timedelta(days=clock.randint(2, 5), hours=clock.randint(0, 6))
        iv.created_at = booked
        for card in iv.scorecards:
            card.created_at = card.updated_at = booked
        if app.created_at > booked:
            app.created_at = app.candidate.created_at = booked - timedelta(days=1)
        return iv

    def feedback_time(iv: Interview) -> datetime:
        """A few hours to two days after the interview, never in the future."""
        hours = clock.choice((clock.uniform(1, 6), clock.uniform(3, 20), clock.uniform(18, 44)))
        return min(iv.ends_at + timedelta(hours=hours), now - timedelta(minutes=5))

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
            submission = card_service.submit(card, uuid.uuid4().hex, card.interviewer)
            when = feedback_time(card.interview)
            submission.submitted_at = card.submitted_at = card.updated_at = when
            for rating in card.ratings:
                rating.updated_at = when
        else:
            moment = min(card.interview.ends_at, now)
            card.updated_at = moment
            for rating in card.ratings:
                rating.updated_at = moment

    def full_round(app, rnd, when, quality, overrides=None, flags=()):
        iv = interview(app, rnd, when, panels[rnd.key])
        for card in iv.scorecards:
            score(card, quality, (overrides or {}).get(card.interviewer.email), flags=flags)
        return iv

    def decide(app: Application, iv: Interview, kind: str, rationale: str, before=None):
        """The hiring manager's decision on the round: some hours after its last scorecard,
        and (when the next round is booked at `before`) at least an hour before that."""
        db.session.flush()
        row = decisions.decide_round(app, iv.round, kind, rationale, manager)
        last = max(c.submitted_at for c in iv.scorecards if c.submitted_at is not None)
        latest = min(now, before - timedelta(hours=1)) if before is not None else now
        row.decided_at = max(
            last + timedelta(minutes=10), min(last + timedelta(hours=clock.uniform(2, 20)), latest)
        )
        if kind == "reject":
            app.closed_at = row.decided_at
        return row

    # 1. New applicant, nothing scheduled yet.
    applicant("周婷", "三年HIS实施经验，熟悉门诊挂号与收费模块。")
    # 2. HR screen booked for tomorrow.
    app = applicant("吴昊", "计算机专业应届毕业生，实习做过LIS接口测试。", source="校园招聘")
    interview(app, hr_r, at(1, 10), panels["hr_screen"])
    # 3. Today's technical interview: interviewer2 has submitted with notes, interviewer1 has not.
    app = applicant("郑洁", "五年EMR实施，带过三甲医院门诊上线，熟悉HL7 v2。", source="内推")
    iv = full_round(app, hr_r, at(-6, 10), 3.2)
    decide(app, iv, "advance", "沟通清晰、动机明确，安排技术面。Clear and motivated.", today_slot)
    iv = interview(app, tech_r, today_slot, panels["technical"])
    for card in iv.scorecards:
        if card.interviewer is iv2:
            score(card, 3.3, {"database": 4})
        else:
            score(card, 3.0, submit=False)
            for rating in card.ratings[3:]:
                rating.value = None
    # 4. HR screen two days ago; both drafts unfinished (overdue on purpose).
    app = applicant("孙磊", "两年PACS运维，想转实施方向。")
    iv = interview(app, hr_r, at(-2, 15), panels["hr_screen"])
    for card in iv.scorecards:
        score(card, 2.8, submit=False)
    # 5. Through every round: awaiting the hire decision.
    app = applicant("钱芳", "临床医学本科，后在信息科做HIS维护四年。", source="猎头")
    iv = full_round(app, hr_r, at(-13, 9, 30), 3.5)
    decide(app, iv, "advance", "临床背景扎实，表达清楚。Strong clinical background.", at(-9, 14))
    iv = full_round(app, tech_r, at(-9, 14), 3.4)
    decide(app, iv, "advance", "数据库与接口案例具体，STAR完整。Concrete cases.", at(-4, 16))
    iv = full_round(app, exec_r, at(-4, 16), 3.5)
    decide(app, iv, "advance", "价值观契合，待与梁宇比较后定录用。Values fit; hire decision next.")
    # 6. The panel disagreed on integration in the technical round; executive round done,
    #    its decision still open.
    app = applicant("冯超", "做过区域卫生信息平台对接，数据迁移经验丰富。")
    iv = full_round(app, hr_r, at(-11, 11), 3.0)
    decide(app, iv, "advance", "迁移经验对口。Migration experience fits.", at(-8, 10))
    iv = full_round(
        app,
        tech_r,
        at(-8, 10),
        3.0,
        {
            "interviewer1@demo.test": {"integration": 4},
            "interviewer2@demo.test": {"integration": 1},
        },
    )
    decide(
        app,
        iv,
        "advance",
        "面试官对系统集成意见分歧，高管面再核实。Panel split on integration: check in round 3.",
        at(-5, 14),
    )
    full_round(app, exec_r, at(-5, 14), 3.0)
    # 7. Veto: integrity rated 1 with a note in the executive round; rejected.
    app = applicant("何静", "简历写有多个三甲医院项目，时间线有重叠。")
    iv = full_round(app, hr_r, at(-12, 15), 3.1)
    decide(
        app, iv, "advance", "基本条件符合，技术面核实项目经历。Verify projects next.", at(-10, 15)
    )
    iv = full_round(app, tech_r, at(-10, 15), 3.0)
    decide(
        app, iv, "advance", "技术尚可；项目时间线请高管面追问。Ask about the timeline.", at(-4, 10)
    )
    iv = full_round(
        app,
        exec_r,
        at(-4, 10),
        3.0,
        {"interviewer4@demo.test": {"integrity": 1}},
        flags=("no_project_detail",),
    )
    decide(
        app,
        iv,
        "reject",
        "项目经历前后矛盾，诚信存疑。Integrity veto: the timeline does not add up.",
    )
    # 8. Below the must-have hurdle on databases: rejected after the technical round.
    app = applicant("马骏", "主要做前端开发，接触过少量医疗项目。")
    iv = full_round(app, hr_r, at(-12, 10), 2.8, flags=("tech_only",))
    decide(app, iv, "advance", "偏技术但基础可以，技术面看数据库。Check databases.", at(-7, 14))
    iv = full_round(
        app,
        tech_r,
        at(-7, 14),
        2.4,
        {"interviewer1@demo.test": {"database": 2}, "interviewer2@demo.test": {"database": 2}},
        flags=("no_project_detail",),
    )
    decide(app, iv, "reject", "数据库能力未达必备要求。Below the database must-have.")
    # 9. Passed the HR screen; technical interview next week.
    app = applicant("高原", "熟悉Oracle与医保接口，做过两家二甲医院上线。")
    iv = full_round(app, hr_r, at(-3, 9), 3.3)
    decide(app, iv, "advance", "医保接口经验难得。Rare insurance-interface experience.", at(6, 14))
    interview(app, tech_r, at(6, 14), panels["technical"])
    # 10. Rejected after the HR screen.
    app = applicant("林晓", "培训讲师背景，无实施经验。", source="招聘网站")
    iv = full_round(app, hr_r, at(-12, 16), 1.9, flags=("etiquette_lapse", "no_company_research"))
    decide(app, iv, "reject", "无实施经验，迟到且未了解公司产品。No implementation experience.")
    # 11. Cancelled interview (the candidate could not make it): its draft is kept.
    app = applicant("罗敏", "三年LIS实施，目前在职，时间不便。")
    iv = interview(app, hr_r, at(-1, 11), panels["hr_screen"])
    score(iv.scorecards[0], 3.0, submit=False)
    iv.status = InterviewStatus.CANCELLED
    # 12. Through every round, hired.
    app = applicant("梁宇", "八年医疗信息化，主导过EMR+PACS整体上线，FHIR实践。", source="内推")
    iv = full_round(app, hr_r, at(-14, 10), 3.7)
    decide(app, iv, "advance", "经验全面，优先安排。Broad experience: fast-track.", at(-11, 14))
    iv = full_round(app, tech_r, at(-11, 14), 3.7)
    decide(app, iv, "advance", "FHIR与PACS案例出色。Outstanding FHIR and PACS cases.", at(-8, 15))
    iv = full_round(app, exec_r, at(-8, 15), 3.6)
    row = decide(app, iv, "advance", "全体面试官一致推荐。The whole panel recommends.")
    db.session.flush()
    hire = decisions.decide_hire(
        app, "hire", "三轮均为强烈推荐，录用。Strong hire in all three rounds.", manager
    )
    hire.decided_at = min(row.decided_at + timedelta(days=1), now)
    app.closed_at = hire.decided_at

    # The second job: interviewer4 is not on its panel.
    for name, note, quality in (
        ("黄磊", "五年机房与HIS运维，持有RHCE。", 3.2),
        ("许娜", "医院信息科两年，负责LIS日常维护。", None),
        ("邓刚", "网络工程师背景。", None),
    ):
        app = applicant(name, note, target=job2)
        if quality is not None:
            iv = interview(app, job2.rounds[0], at(-3, 14), [iv1, iv2])
            for card in iv.scorecards:
                score(card, quality)
    db.session.flush()
    from scorecard.seed.outcomes import seed_demo_outcomes  # issue 14; idempotent

    seed_demo_outcomes(manager)
    log("Demo data created.")
    return True


def demo_logins() -> list[tuple[str, str]]:
    """The demo e-mail addresses with their role, for printing."""
    return [(email, role.value) for email, _name, role in DEMO_USERS]


__all__ = ["DEMO_PASSWORD", "RedFlag", "demo_logins", "seed_demo"]
