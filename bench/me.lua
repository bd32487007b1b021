-- wrk script: GET /v1/me with the bench account's session token (from the environment).
wrk.headers["Authorization"] = "Bearer " .. os.getenv("CINEREC_BENCH_TOKEN")
