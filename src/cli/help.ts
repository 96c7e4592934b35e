/** Help texts for every command (`shardscope --help`, `shardscope COMMAND --help`). */

export const MAIN_HELP = `shardscope: a clustered pprof scraping agent that reads Alloy's pyroscope.scrape config

Usage:
  shardscope run CONFIG [flags]        run the components of CONFIG until SIGINT/SIGTERM
  shardscope check CONFIG              validate CONFIG (exit 0 when valid, 1 otherwise)
  shardscope targets CONFIG [flags]    print the scrape URLs CONFIG yields
  shardscope receive [flags]           run only a Pyroscope push receiver that stores profiles on disk
  shardscope fmt [--write] [--test] CONFIG   print CONFIG in canonical form
  shardscope version                   print the version (also --version)

Run 'shardscope COMMAND --help' for the flags of a command.
`

export const RUN_HELP = `Usage: shardscope run CONFIG [flags]

Runs every component of CONFIG (Alloy syntax: a file, or a folder whose *.alloy files form one config)
until SIGINT or SIGTERM, then stops them in reverse dependency order. SIGHUP or POST /-/reload re-reads
CONFIG and applies what changed; a config with errors is refused and the running one stays.

Flags take --flag=value or --flag value; booleans take --flag or --flag=true|false.
  --server.http.listen-addr ADDR   debug UI, API, metrics and health (default 127.0.0.1:12345)
  --server.http.ui-path-prefix P   serve the UI pages under P (default /)
  --storage.path DIR               node identity and state; one process per folder (default ./data)
  --log.level LEVEL                debug | info | warn | error (default: the logging block, else info)
  --log.format FORMAT              logfmt | json (default: the logging block, else logfmt)
  --log.summary-interval D         how often to log a one-line summary at info (default 1m; 0 = never)
  --cluster.enabled                join a cluster (components opt in with clustering { enabled = true })
  --cluster.node-name NAME         this node's name (default: the hostname)
  --cluster.listen-address ADDR    host:port for cluster traffic (default 0.0.0.0:12346)
  --cluster.advertise-address ADDR host:port other nodes dial (default: the listen address)
  --cluster.join-addresses LIST    comma list of host[:port] or multiaddrs of peers to join
  --cluster.discover-peers TEXT    refused: use --cluster.join-addresses with a DNS name
  --cluster.rejoin-interval D      how often to sync with the join addresses after joining (default 60s)
  --cluster.max-join-peers N       accepted; every join address is synced with
  --cluster.name NAME              cluster name; nodes with another name are ignored (default shardscope)
  --cluster.psk-file FILE          pre-shared key file for a private network
  --cluster.wait-for-size N        scrape nothing until N participants are seen (default 0 = do not wait)
  --cluster.wait-timeout DURATION  give up waiting for the size after this long (default 0 = forever)
  --cluster.probe-interval D       membership probe period (default 1s; older name --cluster.heartbeat-interval)
  --cluster.failure-timeout D      shortest time a suspected member has to refute (default 4 × log10(N) × probe period)
  --cluster.max-connections N      cap on cluster connections (default 128)
  --cluster.join-window D          start alone when no join address answers for this long (default 60s)

Accepted for Alloy compatibility and logged as having no effect: --disable-reporting, --stability.level,
--server.http.memory-addr, --server.http.enable-pprof, --server.http.disable-support-bundle,
--server.http.enable-graphql[-playground], --config.bypass-conversion-errors, --config.extra-args,
--cluster.advertise-interfaces, --cluster.tls-*, --feature.*, --windows.priority. --config.format takes
only alloy; --cluster.enable-tls only false. Any other flag is refused.
`

export const CHECK_HELP = `Usage: shardscope check CONFIG

Parses and validates CONFIG (a file, or a folder whose *.alloy files form one config). Prints every error as FILE:LINE:COL: message and exits 1 when it is
invalid; exits 0 when it is valid. Nothing is started and no network request is made.
`

export const TARGETS_HELP = `Usage: shardscope targets CONFIG [--format text|json] [--cluster-peers a,b,c]

Prints the URLs that CONFIG's pyroscope.scrape components would scrape, one per line, grouped per target.
discovery.http components are fetched once.

Flags:
  --format text|json        json adds the labels sent with each profile, the target labels and the ring key (hex)
  --cluster-peers a,b,c     dry run: also print which of these node names would own each target
`

export const RECEIVE_HELP = `Usage: shardscope receive [--listen HOST:PORT] [--dir DIR] [--log.level LEVEL] [--log.format FORMAT]

Runs a Pyroscope push receiver (POST /push.v1.PusherService/Push as Connect protobuf, JSON or gRPC-Web,
gRPC over cleartext HTTP/2 on the same port, and the SDKs' POST /ingest) that checks every profile and
stores it under DIR, with one line per profile in DIR/index.jsonl.

Flags:
  --listen HOST:PORT   address to listen on (default 127.0.0.1:4040)
  --dir DIR            where to store profiles (default ./data/received); one process per folder
  --log.level LEVEL    debug, info, warn or error (default info)
  --log.format FORMAT  logfmt or json (default logfmt)
  --log.summary-interval D  how often to log what was stored (default 1m; 0 turns it off)

Also serves /-/healthy, /-/ready and /metrics on the same address.
`

export const FMT_HELP = `Usage: shardscope fmt [--write] [--test] CONFIG

Prints CONFIG in canonical form (tab indentation, aligned attributes, comments kept), as alloy fmt does.
A config that does not parse is reported as FILE:LINE:COL: message and left alone (exit 1).

Flags:
  -w, --write   rewrite CONFIG in place instead of printing it
  -t, --test    print nothing; exit 1 when CONFIG is not formatted
`
