def test_take_arm_via_api(api, make_worker, make_spool):
    w = make_worker(roles=["Armador"])
    s = make_spool()
    r = api.post("/api/occupation/tomar", {"tag_spool": s.tag_spool, "worker_id": w.id, "operacion": "ARM"})
    assert r.status_code == 200, r.json()
    assert r.json()["spool"]["ocupado_por"] == w.token
