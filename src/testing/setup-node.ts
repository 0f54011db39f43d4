// Node has WebCrypto but no IndexedDB: fake-indexeddb stands in for fast engine tests.
// Every storage behaviour that matters also runs in the chromium project.
import 'fake-indexeddb/auto';
