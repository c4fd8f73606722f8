#!/bin/sh
# Vendors the browser assets of GraphiQL, Swagger UI and ReDoc into api/static/, from npm, at the
# fixed versions below, with their licences, so the pages load nothing from another host.
# Run with `make vendor` after changing a version; needs npm. GraphiQL 3's UMD "graphiql.min.js"
# is not minified (3.5 MB); esbuild minifies it and its CSS, keeping the licence comments.
set -eu
GRAPHIQL=3.8.3 REACT=18.3.1 SWAGGER_UI=5.35.0 REDOC=2.5.4 ESBUILD=0.25.0
STATIC="$(cd "$(dirname "$0")/.." && pwd)/api/static"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"
for p in graphiql@$GRAPHIQL react@$REACT react-dom@$REACT swagger-ui-dist@$SWAGGER_UI redoc@$REDOC; do
  tgz=$(npm pack --silent "$p")
  mkdir "${p%@*}" && tar xzf "$tgz" -C "${p%@*}"
done
npm install --silent --no-save "esbuild@$ESBUILD" >/dev/null
rm -rf "$STATIC/graphiql" "$STATIC/react" "$STATIC/swagger-ui" "$STATIC/redoc"
mkdir -p "$STATIC/graphiql" "$STATIC/react" "$STATIC/swagger-ui" "$STATIC/redoc"
npx esbuild graphiql/package/graphiql.min.js --minify --legal-comments=eof --log-level=error \
  --outfile="$STATIC/graphiql/graphiql.min.js"
npx esbuild graphiql/package/graphiql.min.css --minify --log-level=error \
  --outfile="$STATIC/graphiql/graphiql.min.css"
cp graphiql/package/LICENSE "$STATIC/graphiql/"
cp react/package/umd/react.production.min.js react/package/LICENSE "$STATIC/react/"
cp react-dom/package/umd/react-dom.production.min.js "$STATIC/react/"
cp react-dom/package/LICENSE "$STATIC/react/LICENSE.react-dom"
cd swagger-ui-dist/package
cp swagger-ui-bundle.js swagger-ui-bundle.js.LICENSE.txt swagger-ui.css LICENSE NOTICE \
  favicon-32x32.png "$STATIC/swagger-ui/"
cd ../../redoc/package
cp bundles/redoc.standalone.js bundles/redoc.standalone.js.LICENSE.txt LICENSE "$STATIC/redoc/"
echo "vendored into $STATIC: graphiql $GRAPHIQL, react $REACT, swagger-ui-dist $SWAGGER_UI, redoc $REDOC"
