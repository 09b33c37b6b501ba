"""A provider's transparency report: what it received, per requesting country and instrument, by hand."""


def row(requests, preservation, accounts, disclosed, percentage, emergency):
    return {
        "requests": requests,
        "production_requests": requests - preservation,
        "preservation_requests": preservation,
        "accounts_specified": accounts,
        "some_data_disclosed": disclosed,
        "percentage_some_data_disclosed": percentage,
        "emergency": emergency,
        "legal_process": requests - emergency,
    }


def test_example_mails_report_per_country_and_instrument_matches_a_count_by_hand(steps, year, network):
    steps.budapest_preservation()  # from France, two accounts, received by Example Mail's US office
    steps.receive(steps.budapest_preservation())
    report = steps.report(f"transparency?year=2026&provider={network['provider'].organisation_id}")
    assert report["provider"] == {"id": network["provider"].organisation_id, "name": "Example Mail"}
    figures = report["figures"]
    # France: Example Mail received O1, O4, O5, O6, O10 (EPOCs) and O7, O8 (EPOC-PRs) under the
    # Regulation, one account each, and one Budapest request for two accounts (the other, never
    # received, does not count; neither do O3, O9, O11, O12, never received either). Data came out
    # for O1, O4, O10: 3 of 8. O10 was the only emergency.
    regulation_fr = row(7, 2, 7, 3, 42.9, 1)
    budapest = row(1, 1, 2, 0, 0.0, 0)
    assert figures["by_country"]["FR"] == {
        **row(8, 3, 9, 3, 37.5, 1),
        "by_instrument": {"cets-185-art29": budapest, "reg-2023-1543": regulation_fr},
    }
    # Germany: O13, produced.
    germany = row(1, 0, 1, 1, 100.0, 0)
    assert figures["by_country"]["DE"] == {**germany, "by_instrument": {"reg-2023-1543": germany}}
    assert list(figures["by_country"]) == ["DE", "FR"]
    assert figures["total"] == {
        **row(9, 3, 10, 4, 44.4, 1),
        "by_instrument": {"cets-185-art29": budapest, "reg-2023-1543": row(8, 2, 8, 4, 50.0, 1)},
    }


def test_a_provider_reads_its_own_report_without_naming_itself(steps, year, network):
    own = steps.report("transparency?year=2026", who="provider")
    assert (
        own["figures"]
        == steps.report(f"transparency?year=2026&provider={network['provider'].organisation_id}")["figures"]
    )
    # Other Cloud received only O2: an emergency from France, partly produced.
    other = steps.report("transparency?year=2026", who="other_provider")
    assert other["provider"]["name"] == "Other Cloud"
    assert other["figures"]["by_country"] == {
        "FR": {**row(1, 0, 1, 1, 100.0, 1), "by_instrument": {"reg-2023-1543": row(1, 0, 1, 1, 100.0, 1)}}
    }


def test_orders_count_in_the_period_they_were_received(steps, clock, network):
    order = steps.issue()
    clock.advance(days=1)  # issued on the 24th, received on the 25th
    steps.receive(order)
    steps.issue()  # issued, never received

    def requests(query):
        return steps.report(f"transparency?{query}", who="provider")["figures"]["total"]["requests"]

    assert requests("start=2026-11-24&end=2026-11-25") == 0
    assert requests("start=2026-11-25&end=2026-11-26") == 1
    assert requests("year=2026") == 1


def test_an_empty_period_has_no_share_rather_than_zero(steps):
    figures = steps.report("transparency?year=2026", who="provider")["figures"]
    assert figures == {"total": {**row(0, 0, 0, 0, None, 0), "by_instrument": {}}, "by_country": {}}
