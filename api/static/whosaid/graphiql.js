// Starts GraphiQL on this server's /graphql. Loaded as a file, not inline, so that the page's
// Content-Security-Policy can forbid inline scripts.
(function () {
  var fetcher = GraphiQL.createFetcher({ url: new URL('/graphql', window.location.href).href });
  var defaultQuery = [
    '# What did NIS say about North Korean casualties? ("casualties" includes killed and wounded)',
    '{ claims(claimant: "NIS", topic: "casualties") {',
    '    nodes { statement value { min max approximate } statedOn via { label }',
    '            reports { article { title outlet { label } } evidence start end } } } }',
    ''
  ].join('\n');
  ReactDOM.createRoot(document.getElementById('graphiql')).render(
    React.createElement(GraphiQL, { fetcher: fetcher, defaultQuery: defaultQuery,
                                    defaultEditorToolsVisibility: true }));
})();
