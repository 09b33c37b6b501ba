"""The intake benchmark's load generator: a closed loop of client processes drafting and issuing orders.

Clients are processes, not threads, so that the generator's own GIL never limits what it measures;
each one drafts an order, signs the returned certificate with its issuing authority's key, issues it,
and starts the next as soon as the answer arrives. The generator also reads the CPU time the server's
processes used (from /proc), which tells a server that is busy from one that waits.
"""

import multiprocessing
import os
import time
from collections import Counter
from dataclasses import asdict
from datetime import UTC
from datetime import datetime
from pathlib import Path
from typing import Any

import common
import requests
from network import BenchNetwork
from network import BenchParty
from network import epoc

from broker.vocabulary import OrganisationKind


def closed_loop(
    server: common.Server, network: BenchNetwork, clients: int, warmup: float, duration: float
) -> tuple[Any, ...]:
    """Run `clients` client processes; (orders, seconds, p50, p95, p99, errors, sample, server and client cores)."""
    issuers = network.of_kind(OrganisationKind.ISSUING_AUTHORITY)
    providers = network.of_kind(OrganisationKind.PROVIDER)
    context = multiprocessing.get_context("fork")
    results: Any = context.Queue()
    begin = time.monotonic() + 1.0 + 0.05 * clients  # every client forked and ready before it
    load = os.getloadavg()[0]
    workers = [
        context.Process(
            target=_client,
            args=(
                server.url,
                asdict(issuers[index % len(issuers)]),
                providers[index % len(providers)].addressee_id,
                begin,
                warmup,
                duration,
                results,
            ),
        )
        for index in range(clients)
    ]
    for worker in workers:
        worker.start()
    time.sleep(max(0.0, begin + warmup - time.monotonic()))
    cpu_before = server_cpu(server.process.pid)
    time.sleep(duration)
    server_cores = (server_cpu(server.process.pid) - cpu_before) / duration
    reports = [results.get(timeout=duration + warmup + 120) for _ in workers]
    for worker in workers:
        worker.join(timeout=30)
    latencies = [value for report in reports for value in report["latencies"]]
    errors = Counter[str]()
    for report in reports:
        errors.update(report["errors"])
    sample = next((report["sample"] for report in reports if report["sample"]), "")
    return (
        len(latencies),
        duration,
        common.percentile(latencies, 0.50),
        common.percentile(latencies, 0.95),
        common.percentile(latencies, 0.99),
        sum(errors.values()),
        f"{dict(errors)} {sample}"[:300] if errors else "",
        server_cores,
        sum(report["cpu"] for report in reports) / (duration + warmup),
        load,
    )


def _client(
    url: str,
    party: dict[str, Any],
    addressee_id: str,
    begin: float,
    warmup: float,
    duration: float,
    results: Any,
) -> None:
    """One client process: draft and issue orders back to back from `begin` until the window closes."""
    issuer = BenchParty(**party)
    measured_from, until = begin + warmup, begin + warmup + duration
    latencies: list[float] = []
    errors: Counter[str] = Counter()
    sample = ""
    http = requests.Session()
    http.headers.update(issuer.headers)
    time.sleep(max(0.0, begin - time.monotonic()))
    cpu = os.times()
    sequence = 0
    while (started := time.monotonic()) < until:
        sequence += 1
        reference = f"INTAKE-{os.getpid()}-{sequence:07d}"
        draft = epoc(addressee_id, reference, f"{reference.lower()}@example.test")
        problem = None
        try:
            answer = http.post(
                f"{url}/api/v1/orders", json={"order_type": "epoc", "certificate": draft}, timeout=120
            )
            if answer.status_code != 201:
                problem = f"draft {answer.status_code}", answer.text
            else:
                order = answer.json()
                jws = issuer.sign("epoc", order["certificate"], order["provider"]["id"], datetime.now(UTC))
                answer = http.post(
                    f"{url}/api/v1/orders/{order['id']}/issue",
                    data=jws,
                    headers={"Content-Type": "application/jose"},
                    timeout=120,
                )
                if answer.status_code != 200:
                    problem = f"issue {answer.status_code}", answer.text
        except requests.RequestException as error:
            problem = type(error).__name__, str(error)
        finished = time.monotonic()
        if problem is not None:
            if started >= measured_from:
                errors[problem[0]] += 1
                sample = sample or problem[1][:200]
        elif measured_from <= finished <= until:
            latencies.append(finished - started)
    used = os.times()
    results.put(
        {
            "latencies": latencies,
            "errors": dict(errors),
            "sample": sample,
            "cpu": used.user + used.system - cpu.user - cpu.system,
        }
    )


def server_cpu(pid: int) -> float:
    """CPU seconds used so far by process `pid` and its children that are still running (gunicorn's workers)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if stat.parent.name == str(pid) or fields[1] == str(pid):
            total += (int(fields[11]) + int(fields[12])) / tick
    return total
