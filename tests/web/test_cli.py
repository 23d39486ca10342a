"""flask --app web user create, and the roles it gives."""
from tests.conftest import basic


def test_user_create_reads_two_lines(runner, client):
    result = runner.invoke(args=["user", "create", "zhang", "--role", "planner"],
                           input="s3cret-pass\ns3cret-pass\n")
    assert result.exit_code == 0, result.output
    assert "zhang" in result.output
    assert client.get("/api/layers", headers=basic("zhang", "s3cret-pass")).status_code == 200


def test_user_create_refuses_mismatch_and_duplicates(runner):
    result = runner.invoke(args=["user", "create", "li", "--role", "leader"], input="aaaaaaaa\nbbbbbbbb\n")
    assert result.exit_code != 0 and "不一致" in result.output
    result = runner.invoke(args=["user", "create", "admin", "--role", "leader"], input="aaaaaaaa\naaaaaaaa\n")
    assert result.exit_code != 0 and "已存在" in result.output


def test_user_create_refuses_unknown_role(runner):
    result = runner.invoke(args=["user", "create", "wang", "--role", "mayor"], input="aaaaaaaa\naaaaaaaa\n")
    assert result.exit_code != 0
