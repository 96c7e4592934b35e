/**
 * Invalid configs: each case asserts the exact `file:line:col: message` that `shardscope check` prints.
 * Lexical and syntax errors come from the parser; the rest from the runtime and component schemas.
 */
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { WRITE_LOCAL, configErrors } from '../../helpers/config.js'

interface Case {
  readonly name: string
  readonly text: string
  readonly error: string
}

const scrape = (body: string): string => `pyroscope.scrape "s" {
  targets    = [{"__address__" = "localhost:4100"}]
  forward_to = [pyroscope.write.local.receiver]
${body}
}
${WRITE_LOCAL}`

const CASES: readonly Case[] = [
  // Lexical
  { name: 'unterminated string', text: 'pyroscope.write "w" {\n  external_labels = {a = "oops}\n}\n', error: 'test.alloy:2:26: string literal not terminated' },
  { name: 'bad escape', text: 'pyroscope.write "w" {\n  external_labels = {a = "x\\qy"}\n}\n', error: 'test.alloy:2:28: unknown escape sequence' },
  { name: 'stray character', text: 'pyroscope.write "w" {\n  # comment\n}\n', error: "test.alloy:2:3: illegal character U+0023 '#'" },
  { name: 'single-quoted string', text: "pyroscope.write 'w' {\n}\n", error: "test.alloy:1:17: illegal single-quoted string; use double quotes" },
  { name: 'unterminated block comment', text: 'pyroscope.write "w" {\n/* never closed\n}\n', error: 'test.alloy:2:1: block comment not terminated' },
  // Syntax
  { name: 'missing = in attribute', text: 'pyroscope.write "w" {\n  endpoint "x"\n}\n', error: 'test.alloy:2:12: expected =, got STRING' },
  { name: 'missing closing brace', text: 'pyroscope.write "w" {\n  endpoint {\n    url = "http://a:1"\n  }\n', error: 'test.alloy:5:1: expected }, got EOF' },
  { name: 'missing comma in a multi-line list', text: scrape('  params = {"a" = ["x"\n    "y"]}'), error: "test.alloy:4:23: missing ',' in expression list" },
  { name: 'missing comma in a multi-line object', text: 'pyroscope.write "w" {\n  external_labels = {\n    a = "1"\n    b = "2",\n  }\n}\n', error: "test.alloy:3:12: missing ',' in field list" },
  { name: 'label that is not an identifier', text: 'pyroscope.write "a-b" {\n}\n', error: 'test.alloy:1:17: expected block label to be a valid identifier, but got "a-b"' },
  { name: 'unexpected token in expression', text: 'pyroscope.write "w" {\n  external_labels = = 3\n}\n', error: 'test.alloy:2:21: expected expression, got =' },
  // Components and arguments
  { name: 'unknown component', text: 'prometheus.scrape "x" {\n}\n', error: 'test.alloy:1:1: component "prometheus.scrape" is not supported by shardscope (supported: discovery.http, pyroscope.receive_http, pyroscope.scrape, pyroscope.write)' },
  { name: 'component without a label', text: 'pyroscope.write {\n}\n', error: 'test.alloy:1:1: component "pyroscope.write" must have a label' },
  { name: 'duplicate component label', text: 'pyroscope.write "w" {\n}\npyroscope.write "w" {\n}\n', error: 'test.alloy:3:17: component "pyroscope.write.w" is declared more than once (first at line 1)' },
  { name: 'top-level attribute', text: 'foo = 1\n', error: 'test.alloy:1:1: unexpected attribute "foo" at the top level; expected a component block' },
  { name: 'unknown argument', text: scrape('  scrape_intervall = "10s"'), error: 'test.alloy:4:3: unrecognized attribute name "scrape_intervall"; did you mean "scrape_interval"?' },
  { name: 'misspelt block', text: scrape('  basic_auht {\n  }'), error: 'test.alloy:4:3: unrecognized block name "basic_auht"; did you mean "basic_auth"?' },
  { name: 'misspelt component', text: 'pyroscope.scrap "x" {\n}\n', error: 'test.alloy:1:1: component "pyroscope.scrap" is not supported by shardscope; did you mean "pyroscope.scrape"? (supported: discovery.http, pyroscope.receive_http, pyroscope.scrape, pyroscope.write)' },
  { name: 'misspelt component reference', text: scrape('').replace('write.local.receiver', 'write.locl.receiver'), error: 'test.alloy:3:17: reference to a component that does not exist: "pyroscope.write.locl"; did you mean "pyroscope.write.local"?' },
  { name: 'misspelt export', text: scrape('').replace('write.local.receiver', 'write.local.reciever'), error: 'test.alloy:3:17: component "pyroscope.write.local" does not export "reciever"; did you mean "receiver"? (exports: receiver)' },
  { name: 'misspelt function', text: scrape('  job_name = concta("a", "b")'), error: 'test.alloy:4:14: identifier "concta" does not exist; did you mean "concat"?' },
  { name: 'unknown block', text: scrape('  profiling {\n  }'), error: 'test.alloy:4:3: unrecognized block name "profiling"' },
  { name: 'unknown nested block', text: scrape('  profiling_config {\n    profile.heap {\n    }\n  }'), error: 'test.alloy:5:5: unrecognized block name "profile.heap"' },
  { name: 'block written as attribute', text: scrape('  basic_auth = {}'), error: 'test.alloy:4:3: "basic_auth" must be written as a block, not an attribute' },
  { name: 'attribute written as block', text: scrape('  job_name {\n  }'), error: 'test.alloy:4:3: "job_name" must be written as an attribute, not a block' },
  { name: 'duplicate attribute', text: scrape('  job_name = "a"\n  job_name = "b"'), error: 'test.alloy:5:3: attribute "job_name" may only be provided once (first at line 4)' },
  { name: 'duplicate block', text: scrape('  basic_auth {\n  }\n  basic_auth {\n  }'), error: 'test.alloy:6:3: block "basic_auth" may only be provided once (first at line 4)' },
  { name: 'wrong type: string expected', text: scrape('  job_name = true'), error: 'test.alloy:4:14: job_name: expected string, got bool' },
  { name: 'wrong type deep inside targets', text: 'pyroscope.scrape "s" {\n  targets    = [{"__address__" = true}]\n  forward_to = []\n}\n', error: 'test.alloy:2:34: targets[0]["__address__"]: expected string, got bool' },
  { name: 'wrong type: list expected', text: 'pyroscope.scrape "s" {\n  targets    = "localhost:9090"\n  forward_to = []\n}\n', error: 'test.alloy:2:16: targets: expected list(map(string)), got string' },
  { name: 'wrong type: receiver expected', text: 'pyroscope.scrape "s" {\n  targets    = []\n  forward_to = ["pyroscope.write.local.receiver"]\n}\n', error: 'test.alloy:3:17: forward_to[0]: expected ProfilesReceiver, got string' },
  { name: 'wrong type: bool expected', text: scrape('  enable_http2 = "yes"'), error: 'test.alloy:4:18: enable_http2: expected bool, got string' },
  { name: 'missing required targets', text: 'pyroscope.scrape "s" {\n  forward_to = []\n}\n', error: 'test.alloy:1:1: missing required attribute "targets"' },
  { name: 'missing required url', text: 'pyroscope.write "w" {\n  endpoint {\n  }\n}\n', error: 'test.alloy:2:3: missing required attribute "url"' },
  { name: 'profile.custom without path', text: scrape('  profiling_config {\n    profile.custom "x" {\n      enabled = true\n    }\n  }'), error: 'test.alloy:5:5: missing required attribute "path"' },
  { name: 'profile.custom without label', text: scrape('  profiling_config {\n    profile.custom {\n      enabled = true\n      path = "/x"\n    }\n  }'), error: 'test.alloy:5:5: block "profile.custom" requires a label' },
  { name: 'duplicate profile.custom label', text: scrape('  profiling_config {\n    profile.custom "x" {\n      enabled = true\n      path = "/a"\n    }\n    profile.custom "x" {\n      enabled = true\n      path = "/b"\n    }\n  }'), error: 'test.alloy:9:20: block "profile.custom "x"" is defined more than once (first at line 5)' },
  { name: 'reference to a missing component', text: 'pyroscope.scrape "s" {\n  targets    = []\n  forward_to = [pyroscope.write.nope.receiver]\n}\n', error: 'test.alloy:3:17: reference to a component that does not exist: "pyroscope.write.nope"' },
  { name: 'reference to a missing export', text: scrape('').replace('write.local.receiver', 'write.local.recv'), error: 'test.alloy:3:17: component "pyroscope.write.local" does not export "recv" (exports: receiver)' },
  { name: 'unknown identifier', text: scrape('  job_name = jobname'), error: 'test.alloy:4:14: identifier "jobname" does not exist' },
  { name: 'reference cycle', text: 'discovery.http "a" {\n  url = discovery.http.b.targets[0]["__address__"]\n}\ndiscovery.http "b" {\n  url = discovery.http.a.targets[0]["__address__"]\n}\n', error: 'test.alloy:1:1: cycle detected: discovery.http.a -> discovery.http.b -> discovery.http.a' },
  // Conflicts and rules of the spec
  { name: 'bearer_token with bearer_token_file', text: scrape('  bearer_token      = "t"\n  bearer_token_file = "/f"'), error: 'test.alloy:5:3: at most one of basic_auth, authorization, oauth2, bearer_token & bearer_token_file must be configured' },
  { name: 'basic_auth with oauth2', text: scrape('  basic_auth {\n    username = "u"\n  }\n  oauth2 {\n    client_id = "c"\n    token_url = "http://auth:8080/token"\n  }'), error: 'test.alloy:7:3: at most one of basic_auth, authorization, oauth2, bearer_token & bearer_token_file must be configured' },
  { name: 'oauth2 without token_url', text: scrape('  oauth2 {\n    client_id = "c"\n  }'), error: 'test.alloy:4:3: oauth2 token_url must be configured' },
  { name: 'oauth2 without client_id', text: scrape('  oauth2 {\n    token_url = "http://auth:8080/token"\n  }'), error: 'test.alloy:4:3: oauth2 client_id must be configured' },
  { name: 'password with password_file', text: scrape('  basic_auth {\n    password      = "p"\n    password_file = "/f"\n  }'), error: 'test.alloy:6:5: at most one of basic_auth password & password_file must be configured' },
  { name: 'credentials with credentials_file', text: scrape('  authorization {\n    credentials      = "c"\n    credentials_file = "/f"\n  }'), error: 'test.alloy:6:5: at most one of authorization credentials & credentials_file must be configured' },
  { name: 'client_secret with client_secret_file', text: scrape('  oauth2 {\n    client_id          = "c"\n    token_url          = "http://auth:8080/token"\n    client_secret      = "s"\n    client_secret_file = "/f"\n  }'), error: 'test.alloy:8:5: at most one of oauth2 client_secret & client_secret_file must be configured' },
  { name: 'no_proxy without proxy_url', text: scrape('  no_proxy = "localhost"'), error: 'test.alloy:4:3: if no_proxy is configured, proxy_url must also be configured' },
  { name: 'proxy_from_environment with proxy_url', text: scrape('  proxy_from_environment = true\n  proxy_url = "http://proxy:3128"'), error: 'test.alloy:5:3: if proxy_from_environment is configured, proxy_url must not be configured' },
  { name: 'proxy_connect_header without a proxy', text: scrape('  proxy_connect_header = {"X-A" = ["b"]}'), error: 'test.alloy:4:3: if proxy_connect_header is configured, proxy_url or proxy_from_environment must also be configured' },
  { name: 'ca_pem with ca_file', text: scrape('  tls_config {\n    ca_pem  = "x"\n    ca_file = "/f"\n  }'), error: 'test.alloy:6:5: at most one of ca_pem and ca_file must be configured' },
  { name: 'client cert without key', text: scrape('  tls_config {\n    cert_file = "/c"\n  }'), error: 'test.alloy:4:3: exactly one of key_pem or key_file must be configured when a client certificate is configured' },
  { name: 'unknown TLS version', text: scrape('  tls_config {\n    min_version = "TLS14"\n  }'), error: 'test.alloy:5:5: unknown TLS version: "TLS14" (expected one of TLS10, TLS11, TLS12, TLS13)' },
  { name: 'delta with an interval under 2 s', text: scrape('  scrape_interval = "1s"'), error: 'test.alloy:4:3: scrape_interval must be at least 2 seconds when using delta profiling' },
  { name: 'delta duration of 1 s', text: scrape('  scrape_interval          = "10s"\n  delta_profiling_duration = "1s"'), error: 'test.alloy:5:3: delta_profiling_duration must be larger than 1 second when using delta profiling' },
  { name: 'delta duration too close to the interval', text: scrape('  scrape_interval          = "10s"\n  delta_profiling_duration = "12s"'), error: 'test.alloy:5:3: delta_profiling_duration must be at least 1 second smaller than scrape_interval when using delta profiling' },
  { name: 'an interval that is not whole milliseconds', text: scrape('  scrape_interval = "2000500us"'), error: 'test.alloy:4:3: scrape_interval must be a whole number of milliseconds' },
  { name: 'zero scrape_timeout', text: scrape('  scrape_timeout = "0s"'), error: 'test.alloy:4:3: scrape_timeout must be greater than 0' },
  { name: 'bad duration', text: scrape('  scrape_interval = "15 seconds"'), error: 'test.alloy:4:21: scrape_interval: time: invalid duration "15 seconds"' },
  { name: 'bad URL', text: 'pyroscope.write "w" {\n  endpoint {\n    url = "localhost:4040"\n  }\n}\n', error: 'test.alloy:3:5: url: URL scheme must be http or https, got "localhost"' },
  { name: 'unparseable URL', text: 'discovery.http "d" {\n  url = "http://"\n}\n', error: 'test.alloy:2:3: url: invalid URL "http://"' },
  { name: 'bad scheme', text: scrape('  scheme = "ftp"'), error: 'test.alloy:4:3: invalid scheme: "ftp" (expected "http" or "https")' },
  { name: 'receive_http with nowhere to put profiles', text: 'pyroscope.receive_http "r" {\n  http {\n    listen_port = 4040\n  }\n}\n', error: 'test.alloy:1:1: at least one of forward_to or storage_path must be configured' }
]

describe('invalid configs', () => {
  it('has at least 40 cases', () => {
    assert.ok(CASES.length >= 40, `only ${CASES.length} cases`)
  })
  for (const c of CASES) {
    it(`reports ${c.name} with its position`, () => {
      const errors = configErrors(c.text)
      assert.ok(errors.length > 0, 'expected the config to be rejected')
      assert.equal(errors[0], c.error)
    })
  }

  it('never echoes a secret value in an error', () => {
    const configs = [
      scrape('  bearer_token      = "hunter2-very-secret"\n  bearer_token_file = "/f"'),
      scrape('  bearer_token = ["hunter2-very-secret"]'),
      scrape('  basic_auth {\n    password      = "hunter2-very-secret"\n    password_file = "/f"\n  }'),
      scrape('  oauth2 {\n    client_id     = "c"\n    client_secret = "hunter2-very-secret"\n    token_url     = "not a url"\n  }'),
      'pyroscope.write "w" {\n  endpoint {\n    url = "ftp://user:hunter2-very-secret@profiles.example.com"\n  }\n}\n',
      'discovery.http "d" {\n  url = "https://user:hunter2-very-secret@"\n}\n'
    ]
    for (const text of configs) {
      const errors = configErrors(text)
      assert.ok(errors.length > 0, 'expected the config to be rejected')
      for (const e of errors) assert.ok(!e.includes('hunter2'), e)
    }
  })
})
