def test_smoke(browser, people, form_token):
    person = people.add("prosecutor")
    people.sign_in(browser, person)
    page = browser.get("/")
    print(page.status_code, page.get_data(as_text=True)[:3000])
    assert page.status_code == 200
