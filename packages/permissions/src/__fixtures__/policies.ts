/** The example policy of packages/protocol/PROTOCOL.md §5.2, as a decoded YAML document. */
export const protocolExamplePolicy = {
  plugins: {
    'acme.word-count': {
      permissions: {
        read_files: { include: ['Daily', 'README.md'], exclude: ['Daily/private'] },
        http_requests: { include: ['api.example.com'] },
        plugin_storage: { include: ['all'], quota_bytes: 1048576 },
      },
      config: {},
    },
  },
};

/** A policy exercising every type and scope form. */
export const fullPolicy = {
  plugins: {
    'acme.notes': {
      permissions: {
        read_files: {
          include: ['Daily', 'README.md', '[Todo](/projects/todo.md)'],
          exclude: ['Daily/private'],
        },
        edit_files: { include: ['all'], exclude: ['secrets'] },
        create_files: { include: ['Inbox'] },
        delete_files: { include: [], exclude: [] },
        move_files: { include: ['all'], exclude: ['all'] },
        http_requests: { include: ['example.com', 'API.Other.org.'], exclude: ['admin.example.com'] },
        execute_commands: { include: ['diaryx.sync:Status', 'acme.*'] },
        plugin_storage: { include: ['cache'] },
        namespaces: { include: ['ns1', 'ns2/public'], exclude: ['ns1/private'] },
      },
    },
    'acme.locked': {
      permissions: { plugin_storage: { exclude: ['all'] } },
    },
    'acme.empty': {},
  },
};
