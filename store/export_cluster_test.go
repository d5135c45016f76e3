package store

// VoteScriptHash is the SHA1 of the vote script (SCRIPT EXISTS), for the
// cluster tests.
func VoteScriptHash() string { return scriptVote.Hash() }
