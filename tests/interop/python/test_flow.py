"""pycolonies against a Colonies Edge server: the flow a Python user of Colonies runs.

The server comes from COLONIES_SERVER_HOST / COLONIES_SERVER_PORT, its owner key from
COLONIES_SERVER_PRVKEY (run.sh starts one). Every test uses pycolonies' own API only; an
assertion that fails here is an incompatibility of the server, to be fixed there.
"""

import importlib.metadata
import os
import threading
import time
import uuid

import pytest
from crypto import Crypto
from model import Conditions, FuncSpec, Workflow
from pycolonies import Colonies, ColoniesConnectionError, func_spec

EXECUTOR_TYPE = "pyinterop"


def test_versions():
    print("pycolonies", importlib.metadata.version("pycolonies"))
    assert importlib.metadata.version("pycolonies") == "1.0.25"


class Setup:
    def __init__(self):
        self.client = Colonies(os.environ["COLONIES_SERVER_HOST"], int(os.environ["COLONIES_SERVER_PORT"]))
        crypto = Crypto()
        self.server_prvkey = os.environ["COLONIES_SERVER_PRVKEY"]
        self.colony_prvkey = crypto.prvkey()
        self.colonyid = crypto.id(self.colony_prvkey)
        self.colonyname = "py-" + uuid.uuid4().hex[:10]
        self.executor_prvkey = crypto.prvkey()
        self.executorid = crypto.id(self.executor_prvkey)
        self.executorname = "py-executor"
        self.user_prvkey = crypto.prvkey()
        self.userid = crypto.id(self.user_prvkey)

    def spec(self, *args, maxexectime=60):
        return func_spec(
            func="echo",
            args=list(args),
            colonyname=self.colonyname,
            executortype=EXECUTOR_TYPE,
            maxexectime=maxexectime,
            maxretries=0,
        )


@pytest.fixture(scope="module")
def s():
    return Setup()


def test_add_colony(s):
    colony = s.client.add_colony({"colonyid": s.colonyid, "name": s.colonyname}, s.server_prvkey)
    assert colony == {"colonyid": s.colonyid, "name": s.colonyname}
    names = [c["name"] for c in s.client.list_colonies(s.server_prvkey)]
    assert s.colonyname in names


def test_add_and_approve_executor(s):
    executor = {
        "executorname": s.executorname,
        "executorid": s.executorid,
        "colonyname": s.colonyname,
        "executortype": EXECUTOR_TYPE,
    }
    added = s.client.add_executor(executor, s.colony_prvkey)
    assert added["executorid"] == s.executorid
    assert added["state"] == 0
    s.client.approve_executor(s.colonyname, s.executorname, s.colony_prvkey)
    got = s.client.get_executor(s.colonyname, s.executorname, s.executor_prvkey)
    assert got["state"] == 1
    assert [e["executorname"] for e in s.client.list_executors(s.colonyname, s.executor_prvkey)] == [s.executorname]
    assert s.client.get_colony(s.colonyname, s.executor_prvkey)["colonyid"] == s.colonyid


def test_colony_owner_is_not_a_member(s):
    with pytest.raises(ColoniesConnectionError):
        s.client.get_colony(s.colonyname, s.colony_prvkey)


def test_submit_assign_attribute_log_output_close(s):
    submitted = s.client.submit_func_spec(s.spec("hello", 42), s.executor_prvkey)
    assert submitted.state == 0
    assert submitted.spec.funcname == "echo"
    assert submitted.spec.args == ["hello", 42]
    assert submitted.initiatorname == s.executorname

    assigned = s.client.assign(s.colonyname, 5, s.executor_prvkey)
    assert assigned.processid == submitted.processid
    assert assigned.state == 1
    assert assigned.assignedexecutorid == s.executorid

    attribute = s.client.add_attribute(assigned.processid, "progress", "50%", s.executor_prvkey)
    assert attribute["key"] == "progress"
    assert s.client.get_attribute(attribute["attributeid"], s.executor_prvkey)["value"] == "50%"

    s.client.add_log(assigned.processid, "working\n", s.executor_prvkey)
    s.client.add_log(assigned.processid, "almost done\n", s.executor_prvkey)
    logs = s.client.get_process_log(s.colonyname, assigned.processid, 100, 0, s.executor_prvkey)
    assert [log["message"] for log in logs] == ["working\n", "almost done\n"]
    assert all(log["executorname"] == s.executorname for log in logs)

    s.client.set_output(assigned.processid, ["partial"], s.executor_prvkey)
    assert s.client.get_process(assigned.processid, s.executor_prvkey).output == ["partial"]

    s.client.close(assigned.processid, ["done", 7], s.executor_prvkey)
    closed = s.client.get_process(assigned.processid, s.executor_prvkey)
    assert closed.state == 2
    assert closed.output == ["done", 7]
    assert closed.endtime > closed.starttime
    assert any(a.key == "progress" for a in closed.attributes)
    s.successful = closed.processid


def sealed_strings():
    """Sealed strings (protocol §16) as an encrypting client writes them: from the vectors."""
    import json
    import pathlib

    vectors = pathlib.Path(__file__).parents[3] / "core" / "tests" / "fixtures" / "e2e-vectors.json"
    return [seal["sealed"] for seal in json.loads(vectors.read_text())["seals"]]


def test_an_encrypted_process_reads_as_strings():
    """A process of an encrypted colony, sealed by a member's client, read by pycolonies,
    which knows nothing of the encryption: every sealed field is a string, nothing fails.
    A colony of its own, so the other tests' counts stay as they are."""
    s = Setup()
    s.client.add_colony({"colonyid": s.colonyid, "name": s.colonyname}, s.server_prvkey)
    executor = {
        "executorname": s.executorname,
        "executorid": s.executorid,
        "colonyname": s.colonyname,
        "executortype": EXECUTOR_TYPE,
    }
    s.client.add_executor(executor, s.colony_prvkey)
    s.client.approve_executor(s.colonyname, s.executorname, s.colony_prvkey)
    sealed = sealed_strings()
    spec = s.spec(sealed[0])
    spec.kwargs = {"ce1": sealed[1]}
    spec.env = {"ce1": sealed[2]}
    submitted = s.client.submit_func_spec(spec, s.executor_prvkey)
    assert submitted.spec.args == [sealed[0]]
    assigned = s.client.assign(s.colonyname, 5, s.executor_prvkey)
    assert assigned.processid == submitted.processid
    assert assigned.spec.kwargs == {"ce1": sealed[1]} and assigned.spec.env == {"ce1": sealed[2]}
    s.client.add_attribute(assigned.processid, "result", sealed[3], s.executor_prvkey)
    s.client.add_log(assigned.processid, sealed[4], s.executor_prvkey)
    s.client.close(assigned.processid, [sealed[5]], s.executor_prvkey)
    closed = s.client.get_process(assigned.processid, s.executor_prvkey)
    assert closed.state == 2
    assert closed.output == [sealed[5]]
    assert all(isinstance(a.value, str) for a in closed.attributes)
    assert any(a.value == sealed[3] for a in closed.attributes)
    logs = s.client.get_process_log(s.colonyname, assigned.processid, 100, 0, s.executor_prvkey)
    assert [log["message"] for log in logs] == [sealed[4]]


def test_fail(s):
    submitted = s.client.submit_func_spec(s.spec("boom"), s.executor_prvkey)
    assigned = s.client.assign(s.colonyname, 5, s.executor_prvkey)
    assert assigned.processid == submitted.processid
    s.client.fail(assigned.processid, ["it broke"], s.executor_prvkey)
    failed = s.client.get_process(assigned.processid, s.executor_prvkey)
    assert failed.state == 3
    assert failed.errors == ["it broke"]
    s.failed = failed.processid


def test_assign_with_nothing_to_do_raises(s):
    started = time.monotonic()
    with pytest.raises(ColoniesConnectionError):
        s.client.assign(s.colonyname, 1, s.executor_prvkey)
    assert time.monotonic() - started >= 0.9


def test_list_processes_and_stats(s):
    successful = s.client.list_processes(s.colonyname, 100, 2, s.executor_prvkey)
    assert [p["processid"] for p in successful] == [s.successful]
    failed = s.client.list_processes(s.colonyname, 100, 3, s.executor_prvkey)
    assert [p["processid"] for p in failed] == [s.failed]
    waiting = s.client.list_processes(s.colonyname, 100, 0, s.executor_prvkey)
    assert waiting in (None, [])
    stats = s.client.stats(s.colonyname, s.executor_prvkey)
    assert stats["successfulprocesses"] == 1
    assert stats["failedprocesses"] == 1
    assert stats["waitingprocesses"] == 0
    assert stats["activeexecutors"] == 1


def test_functions(s):
    s.client.add_function(s.colonyname, s.executorname, "echo", s.executor_prvkey)
    functions = s.client.get_functions_by_executor(s.colonyname, s.executorname, s.executor_prvkey)
    assert [f["funcname"] for f in functions] == ["echo"]
    assert [f["funcname"] for f in s.client.get_functions_by_colony(s.colonyname, s.executor_prvkey)] == ["echo"]


def test_users(s):
    user = {"colonyname": s.colonyname, "userid": s.userid, "name": "alice", "email": "a@example.org", "phone": ""}
    assert s.client.add_user(user, s.colony_prvkey)["userid"] == s.userid
    assert [u["name"] for u in s.client.get_users(s.colonyname, s.user_prvkey)] == ["alice"]
    s.client.remove_user(s.colonyname, "alice", s.colony_prvkey)


def test_remove_process(s):
    s.client.remove_process(s.failed, s.executor_prvkey)
    with pytest.raises(ColoniesConnectionError):
        s.client.get_process(s.failed, s.executor_prvkey)


def test_wait_over_pubsub(s):
    submitted = s.client.submit_func_spec(s.spec("later"), s.executor_prvkey)

    def executor():
        time.sleep(1)
        process = s.client.assign(s.colonyname, 5, s.executor_prvkey)
        s.client.close(process.processid, ["waited"], s.executor_prvkey)

    worker = threading.Thread(target=executor)
    worker.start()
    try:
        done = s.client.wait(submitted, 10, s.executor_prvkey)
    finally:
        worker.join()
    assert done.processid == submitted.processid
    assert done.state == 2
    assert done.output == ["waited"]


def workflow(s):
    first = FuncSpec(
        nodename="first", funcname="echo", args=["a"], maxexectime=60,
        conditions=Conditions(colonyname=s.colonyname, executortype=EXECUTOR_TYPE),
    )
    second = FuncSpec(
        nodename="second", funcname="echo", args=["b"], maxexectime=60,
        conditions=Conditions(colonyname=s.colonyname, executortype=EXECUTOR_TYPE, dependencies=["first"]),
    )
    return Workflow(colonyname=s.colonyname, functionspecs=[first, second])


def test_workflow(s):
    graph = s.client.submit_workflow(workflow(s), s.executor_prvkey)
    assert len(graph.processids) == 2
    assert len(graph.rootprocessids) == 1
    first = s.client.assign(s.colonyname, 5, s.executor_prvkey)
    assert first.spec.nodename == "first"
    s.client.close(first.processid, ["from-first"], s.executor_prvkey)
    second = s.client.assign(s.colonyname, 5, s.executor_prvkey)
    assert second.spec.nodename == "second"
    assert second.input == ["from-first"]
    s.client.close(second.processid, [], s.executor_prvkey)
    done = s.client.get_processgraph(graph.processgraphid, s.executor_prvkey)
    assert done.state == 2
    listed = s.client.get_processgraphs(s.colonyname, 100, s.executor_prvkey, state=2)
    assert [g["processgraphid"] for g in listed] == [graph.processgraphid]
    in_graph = s.client.get_processes_for_workflow(graph.processgraphid, s.colonyname, s.executor_prvkey)
    assert sorted(p["processid"] for p in in_graph) == sorted(graph.processids)


def test_cron(s):
    cron = s.client.add_cron("nightly", "0 0 3 * * *", False, workflow(s), s.colonyname, s.executor_prvkey)
    assert cron["name"] == "nightly"
    assert [c["cronid"] for c in s.client.get_crons(s.colonyname, 10, s.executor_prvkey)] == [cron["cronid"]]
    s.client.del_cron(cron["cronid"], s.executor_prvkey)


def test_remove_executor_and_colony(s):
    s.client.remove_executor(s.colonyname, s.executorname, s.colony_prvkey)
    s.client.del_colony(s.colonyname, s.server_prvkey)
    names = [c["name"] for c in (s.client.list_colonies(s.server_prvkey) or [])]
    assert s.colonyname not in names
