"""CSV candidate import: decoding, row checks with line numbers, duplicates, job matching."""

import codecs

import pytest

from scorecard.extensions import db as _db
from scorecard.models import Application, Candidate, Job
from scorecard.services.candidates import check_csv, decode, normalise_phone
from scorecard.services.errors import DomainError

HEADER = "name,email,phone,source,note,job\n"


@pytest.fixture
def jobs(app, db):
    a = Job(title_zh="实施工程师", title_en="Implementation Engineer")
    b = Job(title_zh="运维工程师", title_en="Operations Engineer")
    db.session.add_all([a, b])
    db.session.flush()
    existing = Candidate(name="王芳", email="wang.fang@example.com", phone="13800138000")
    db.session.add_all([existing, Application(candidate=existing, job=a)])
    db.session.flush()
    with app.test_request_context():
        yield a, b


def test_decodes_utf8_with_and_without_bom_and_gb18030():
    text = HEADER + "张伟,zw@example.com,,,,实施工程师\n"
    assert decode(text.encode("utf-8")) == text
    assert decode(codecs.BOM_UTF8 + text.encode("utf-8")) == text
    assert decode(text.encode("gb18030")) == text
    with pytest.raises(DomainError):
        decode(b"x" * (2 * 1024 * 1024 + 1))


def test_phone_normalisation():
    assert normalise_phone("138 0013-8000") == "13800138000"
    assert normalise_phone("+86 138 0013 8000") == "+8613800138000"
    assert normalise_phone("") == ""


def test_every_bad_row_is_reported_with_its_line_and_reason(jobs):
    a, b = jobs
    text = HEADER + "\n".join(
        [
            "张伟,zhang.wei@example.com,13900000001,Boss直聘,,实施工程师",  # line 2 ok
            ",nobody@example.com,,,,实施工程师",  # 3 missing name
            "李娜,not-an-email,,,,Implementation Engineer",  # 4 bad e-mail
            "赵六,WANG.FANG@example.com,,,,实施工程师",  # 5 existing (same e-mail)
            "王芳,,138 0013 8000,,,实施工程师",  # 6 existing (same name + phone)
            "刘洋,zhang.wei@example.com,,,,实施工程师",  # 7 duplicate of line 2
            "陈静,chen@example.com,,,,Nurse",  # 8 unknown job
            f"陈静,chen@example.com,,,,{b.id}",  # 9 ok: the job by id
            '周婷,zt@example.com,,,"two-line\nnote",operations engineer',  # 10-11 ok
            "吴昊,wh@example.com,,,,",  # 12 no job, no default
            "",  # blank lines are skipped
            "郑洁,zj@example.com,,,,实施工程师",  # 14 ok
        ]
    )
    preview = check_csv(text, [a, b])
    assert [r.line for r in preview.good] == [2, 9, 10, 14]
    assert [(p.line, p.name) for p in preview.bad] == [
        (3, ""),
        (4, "李娜"),
        (5, "赵六"),
        (6, "王芳"),
        (7, "刘洋"),
        (8, "陈静"),
        (12, "吴昊"),
    ]
    reasons = {p.line: p.reason for p in preview.bad}
    assert reasons[3] == "Name is missing."
    assert "not-an-email" in reasons[4]
    assert "Already a candidate for this job" in reasons[5]
    assert "Already a candidate for this job" in reasons[6]
    assert reasons[7] == "Duplicate of line 2 in this file."
    assert reasons[8] == "Unknown job: Nurse."
    assert reasons[12] == "Job is missing."
    assert preview.good[1].job is b and preview.good[2].job is b
    assert preview.good[2].note == "two-line\nnote"
    # The same person may apply to another job.
    other = check_csv(HEADER + f"王芳,wang.fang@example.com,,,,{b.title_en}\n", [a, b])
    assert [r.line for r in other.good] == [2]


def test_default_job_chinese_headers_and_semicolons(jobs):
    a, b = jobs
    text = (
        "姓名;邮箱;手机;来源;备注;职位\n"
        "孙磊;sl@example.com;;内推;;\n"
        "高原;gy@example.com;;;;运维工程师\n"
    )
    preview = check_csv(text, [a, b], default_job=a)
    assert [(r.name, r.job.id, r.source) for r in preview.good] == [
        ("孙磊", a.id, "内推"),
        ("高原", b.id, ""),
    ]


def test_only_the_users_jobs_match(jobs):
    a, b = jobs
    preview = check_csv(HEADER + "x,x@example.com,,,,Operations Engineer\n", [a])
    assert preview.good == [] and preview.bad[0].reason == "Unknown job: Operations Engineer."


def test_a_file_without_a_name_column_is_refused(jobs):
    with pytest.raises(DomainError) as err:
        check_csv("email,job\nx@example.com,1\n", list(jobs))
    assert "name, email, phone" in err.value.message
    with pytest.raises(DomainError):
        check_csv("", list(jobs))


def test_too_long_values_are_reported(jobs):
    a, _b = jobs
    preview = check_csv(HEADER + f"{'名' * 201},,,,,{a.id}\n", [a])
    assert "Too long" in preview.bad[0].reason
    _db.session.rollback()
