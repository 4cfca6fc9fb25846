"""The console's users file: who may sign in, read strictly (no entry silently replaced)."""

from __future__ import annotations

from pathlib import Path

import pytest

from console.auth import load_users
from contracts.errors import ConfigurationError

RILEY = "  - {email: Riley@Vendor.com, name: Riley Chen, password_hash: x}\n"
SAM = "  - {email: sam@vendor.com, name: Sam Ortiz, password_hash: y, admin: true}\n"


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "users.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_each_entry_is_a_user_by_lower_case_email(tmp_path: Path) -> None:
    users = load_users(write(tmp_path, "users:\n" + RILEY + SAM))
    assert sorted(users) == ["riley@vendor.com", "sam@vendor.com"]
    assert users["sam@vendor.com"].admin and not users["riley@vendor.com"].admin


def test_a_person_listed_twice_is_refused(tmp_path: Path) -> None:
    again = "  - {email: riley@vendor.com, name: Riley, password_hash: z, admin: true}\n"
    with pytest.raises(ConfigurationError, match=r"users\[1\] repeats riley@vendor.com"):
        load_users(write(tmp_path, "users:\n" + RILEY + again))


def test_a_key_written_twice_in_an_entry_is_refused_with_its_line(tmp_path: Path) -> None:
    text = "users:\n" + RILEY + "  - email: sam@vendor.com\n    admin: false\n    admin: true\n"
    with pytest.raises(ConfigurationError, match="line 5: key 'admin' is written twice"):
        load_users(write(tmp_path, text))


def test_a_file_that_is_not_yaml_is_refused_with_its_line(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match=r"users.yaml line 3: not valid YAML"):
        load_users(write(tmp_path, "users:\n" + RILEY + "  - {email: sam@vendor.com}}\n" + SAM))


def test_a_missing_file_says_why_it_cannot_be_read(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match=r"cannot read .*nowhere.yaml \(No such file"):
        load_users(tmp_path / "nowhere.yaml")
