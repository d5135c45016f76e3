// Package renovote is the domain of the renovote bot: programmes of old-compound
// renovation (城镇老旧小区改造), their compounds and households, the consent
// ballot, its rules and tallies, the survey menu and phases.
//
// It owns the law: consent rules are data (which tests apply, with exact integer
// fractions) and every pass/fail is decided in integer arithmetic, never floats
// ("2/3 以上" means 3*agree >= 2*total). Floor area is kept in hundredths of a
// square metre (Area) for the same reason.
//
// It imports the standard library only. It must not import go-telegram, go-redis,
// cron, or any other renovote package: those depend on it, never the reverse.
package renovote
