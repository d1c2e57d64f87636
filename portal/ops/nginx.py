"""The nginx configuration `make serve` runs (bin/serve writes it under PORTAL_DATA_DIR/run):
one entry port; the dispatch's look-up (GET /api/v1/accounts/{n}/oncall) goes to its own
gunicorn pool, everything else to the client pages' pool, so the look-up never waits behind
a page. nginx also buffers slow clients (the sync workers are never held by one), sets the
request id, and writes its own JSON line per request (what it answered itself, a pool down
included)."""

from pathlib import Path

# The look-up's path, as portal/urls.py's oncall_now (<str:number> holds no slash).
LOOKUP = r"^/api/v1/accounts/[^/]+/oncall$"


def config(
    *,
    listen: str,
    web: str,
    dispatch: str,
    run_dir: Path,
    as_root: bool,
    trust_forwarded_proto: bool = False,
    max_body: str = "64m",
) -> str:
    temp = run_dir / "nginx-temp"
    proto = "$http_x_forwarded_proto" if trust_forwarded_proto else "$scheme"
    user = "user nobody nogroup;\n" if as_root else ""
    return f"""# Written by bin/serve at each start: edits are lost (portal/ops/nginx.py).
{user}worker_processes auto;
daemon off;
pid {run_dir / "nginx.pid"};
error_log stderr warn;

events {{
    worker_connections 1024;
}}

http {{
    log_format json_lines escape=json '{{"time":"$time_iso8601","level":"INFO",'
        '"logger":"nginx","message":"$request_method $uri $status",'
        '"request_id":"$request_id","status":$status,"method":"$request_method",'
        '"path":"$uri","duration_s":$request_time,"upstream":"$upstream_addr"}}';
    access_log /dev/stdout json_lines;
    client_body_temp_path {temp / "body"};
    proxy_temp_path {temp / "proxy"};
    fastcgi_temp_path {temp / "fastcgi"};
    uwsgi_temp_path {temp / "uwsgi"};
    scgi_temp_path {temp / "scgi"};
    server_tokens off;
    sendfile on;
    client_max_body_size {max_body};

    upstream web {{
        server {web} fail_timeout=0;
    }}
    upstream dispatch {{
        server {dispatch} fail_timeout=0;
    }}
    # The look-up's reads go to the dispatch pool; its other methods are API writes.
    map $request_method $lookup_pool {{
        GET dispatch;
        HEAD dispatch;
        default web;
    }}

    server {{
        listen {listen};
        proxy_http_version 1.1;
        proxy_set_header Host $http_host;
        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
        proxy_set_header X-Forwarded-Proto {proto};
        proxy_set_header X-Request-ID $request_id;
        proxy_set_header Connection "";
        proxy_redirect off;

        location ~ {LOOKUP} {{
            proxy_connect_timeout 1s;
            proxy_read_timeout 10s;
            proxy_pass http://$lookup_pool;
        }}
        location / {{
            proxy_read_timeout 120s;
            proxy_pass http://web;
        }}
    }}
}}
"""
