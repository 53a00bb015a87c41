// Read a feed file with the Podcast Index's own parser (podcast-partytime) and print what it
// understood as JSON on stdout: tests/test_clients.py compares it with the descriptors.
// Usage: node parse_feed.js FEED_FILE
"use strict";
process.env.LOG = process.env.LOG || "silent"; // partytime logs through pino
const fs = require("fs");
const { parseFeed } = require("podcast-partytime");

const xml = fs.readFileSync(process.argv[2], "utf8");
const feed = parseFeed(xml, { allowMissingGuid: false });
if (!feed) {
  process.stderr.write("partytime could not parse the feed\n");
  process.exit(2);
}
process.stdout.write(JSON.stringify(feed, null, 2));
