-- wrk script: POST /v1/auth/login with the bench account (scripts/bench.sh creates it).
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"email":"bench@example.com","password":"bench-password-0123"}'
