package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"runtime/pprof"
	"strconv"
	"strings"
	"time"

	"github.com/renovote/renovote/bot"
	"github.com/renovote/renovote/loadtest"
	"github.com/renovote/renovote/store"
)

// loadFlags are the flags of renovote load.
type loadFlags struct {
	residents  int
	duration   time.Duration
	presses    int
	rounds     int
	redisAOF   bool
	redisConf  string
	limit      float64
	shards     int
	batch      int
	cpuProfile string
}

func (f *loadFlags) declare(fs *flag.FlagSet) {
	fs.IntVar(&f.residents, "residents", loadtest.DefaultResidents, "load: residents pressing at once, a household each (at most 808)")
	fs.DurationVar(&f.duration, "duration", loadtest.DefaultDuration, "load: how long each bot is measured in each round")
	fs.IntVar(&f.presses, "presses", 0, "load: presses per bot and round instead of -duration")
	fs.IntVar(&f.rounds, "rounds", 2, "load: rounds, each measuring both bots in turn")
	fs.BoolVar(&f.redisAOF, "redis-aof", false, "load: on a redis-server of its own, append-only file fsynced at every write (instead of REDIS_URL or miniredis)")
	fs.StringVar(&f.redisConf, "redis-config", "", `load: with -redis-aof, directives for its redis-server, name and value pairs ("hash-max-listpack-entries 16", README Production)`)
	fs.Float64Var(&f.limit, "limit", loadtest.DefaultRate, "load: outgoing calls per second of each bot (the same for both)")
	fs.IntVar(&f.shards, "shards", 0, "load: chats each bot handles at once (default the bot's, "+strconv.Itoa(bot.DefaultShards)+")")
	fs.IntVar(&f.batch, "batch", 0, "load: Redis pipelines of vote presses in flight at once, shared by the presses of the moment (default the store's, 1; -1: each press its own round trips)")
	fs.StringVar(&f.cpuProfile, "cpuprofile", "", "load: write a CPU profile of the run to this file (labels bot=full|bare, role=bot|resident)")
}

// loadCmd runs renovote load: the store (a redis-server of its own with
// -redis-aof, REDIS_URL under a key prefix of its own that is deleted at the
// end, or miniredis), the run, the table or -json.
func (c *cli) loadCmd(ctx context.Context) error {
	f := c.load
	st, backend, serverCPU, closeStore, err := c.loadStore(ctx)
	if err != nil {
		return err
	}
	defer closeStore()
	if f.cpuProfile != "" {
		out, err := os.Create(f.cpuProfile)
		if err != nil {
			return fmt.Errorf("load: -cpuprofile: %w", err)
		}
		defer out.Close()
		if err := pprof.StartCPUProfile(out); err != nil {
			return fmt.Errorf("load: -cpuprofile: %w", err)
		}
		defer pprof.StopCPUProfile()
	}
	// The bots' warnings and errors only.
	log := slog.New(slog.NewTextHandler(c.errOut, &slog.HandlerOptions{Level: max(c.cfg.LogLevel, slog.LevelWarn)}))
	res, err := loadtest.Run(ctx, loadtest.Config{Store: st, Backend: backend,
		Residents: f.residents, Duration: f.duration, Presses: f.presses, Rounds: f.rounds,
		Rate: f.limit, Shards: f.shards, ServerCPU: serverCPU, Logger: log, Progress: c.errOut})
	if err != nil {
		return err
	}
	if c.asJSON {
		enc := json.NewEncoder(c.out)
		enc.SetIndent("", "  ")
		err = enc.Encode(res)
	} else {
		err = res.WriteTable(c.out)
	}
	if err != nil {
		return err
	}
	if !res.Check.OK {
		return fmt.Errorf("load: the store does not match the presses: %s", strings.Join(res.Check.Problems, "; "))
	}
	return nil
}

// loadStore opens the store of a load run and says what it is; with
// -redis-aof it also gives the CPU time of its server.
func (c *cli) loadStore(ctx context.Context) (st *store.Store, backend string, serverCPU func() time.Duration, closeStore func(), err error) {
	switch {
	case c.load.redisAOF && c.cfg.RedisURL != "":
		return nil, "", nil, nil, errors.New("load: -redis-aof starts a Redis of its own: unset REDIS_URL, or drop -redis-aof")
	case c.load.redisConf != "" && !c.load.redisAOF:
		return nil, "", nil, nil, errors.New("load: -redis-config is for the redis-server of -redis-aof")
	case c.load.redisAOF:
		conf := strings.Fields(c.load.redisConf)
		r, err := loadtest.StartRedis(ctx, "", "", conf...)
		if err != nil {
			return nil, "", nil, nil, err
		}
		st, err := store.OpenWith(ctx, r.URL, store.Options{Batch: c.load.batch})
		if err != nil {
			r.Close()
			return nil, "", nil, nil, err
		}
		settings := "appendonly yes, appendfsync always"
		for i := 0; i+1 < len(conf); i += 2 {
			settings += ", " + conf[i] + " " + conf[i+1]
		}
		return st, "Redis " + redisVersion(ctx, st) + " of its own (" + settings + ")" + batchNote(c.load.batch), r.CPU, func() { st.Close(); r.Close() }, nil
	case c.cfg.RedisURL != "":
		st, err := store.OpenWith(ctx, c.cfg.RedisURL, store.Options{Prefix: loadPrefix(), Batch: c.load.batch})
		if err != nil {
			return nil, "", nil, nil, err
		}
		backend := "Redis " + redisVersion(ctx, st) + " at REDIS_URL (" + redisPersistence(ctx, st) + "), key prefix " + st.Prefix() + batchNote(c.load.batch)
		return st, backend, nil, func() {
			// Only the run's keys, even when ctx ended.
			cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
			defer cancel()
			if n, err := st.DeletePrefixKeys(cctx); err != nil {
				c.log.Error("load: delete the run's keys", "prefix", st.Prefix(), "err", err)
			} else {
				c.log.Info("load: the run's keys deleted", "prefix", st.Prefix(), "keys", n)
			}
			st.Close()
		}, nil
	default:
		st, closeMem, err := store.NewMemory()
		if err != nil {
			return nil, "", nil, nil, err
		}
		return st, "miniredis (in-process, no persistence)", nil, closeMem, nil
	}
}

// batchNote says how -batch set the store's batching, when it did.
func batchNote(batch int) string {
	switch {
	case batch < 0:
		return ", presses not batched"
	case batch > 0:
		return fmt.Sprintf(", at most %d batched pipelines in flight", batch)
	}
	return ""
}

// loadPrefix is a fresh key prefix for a run on a shared Redis.
func loadPrefix() string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return "load:" + hex.EncodeToString(b[:]) + ":"
}

// redisVersion is the server's version ("" when INFO fails).
func redisVersion(ctx context.Context, st *store.Store) string {
	info, err := st.Client().Info(ctx, "server").Result()
	if err != nil {
		return ""
	}
	for line := range strings.SplitSeq(info, "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), "redis_version:"); ok {
			return v
		}
	}
	return ""
}

// redisPersistence says how the server persists writes, as CONFIG GET
// reports it.
func redisPersistence(ctx context.Context, st *store.Store) string {
	cfg, err := st.Client().ConfigGet(ctx, "append*").Result()
	if err != nil {
		return "persistence unknown"
	}
	if cfg["appendonly"] != "yes" {
		return "appendonly no"
	}
	return "appendonly yes, appendfsync " + cfg["appendfsync"]
}
