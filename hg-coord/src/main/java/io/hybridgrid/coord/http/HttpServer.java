package io.hybridgrid.coord.http;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AttributeKey;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * A small Netty HTTP/1.1 server for {@link HttpApi}: health, metrics, JSON status, the dashboard,
 * and {@code /api/v1/stream}: server-sent events, one {@link HttpApi#snapshot(long)} per second to
 * each subscriber (at most {@value #MAX_SUBSCRIBERS}), so a worker that joins shows on every open
 * page within about a second.
 */
public final class HttpServer implements AutoCloseable {
  /** Open streams allowed at once; more are refused with 503. */
  static final int MAX_SUBSCRIBERS = 64;

  private static final AttributeKey<Long> SEQ = AttributeKey.valueOf("hg-seq");

  private final HttpApi api;
  private final InetSocketAddress bind;
  private final Duration pushInterval;
  private final Map<Channel, Boolean> subscribers = new ConcurrentHashMap<>();
  private final HttpAccess access;
  private EventLoopGroup group;
  private Channel channel;
  private ScheduledFuture<?> pusher;

  public HttpServer(HttpApi api, InetSocketAddress bind) {
    this(api, bind, Duration.ofSeconds(1), HttpAccess.open());
  }

  /**
   * @param api the routes
   * @param bind where to listen
   * @param pushInterval how often stream subscribers get a snapshot
   * @param access checked before every request (tokens for writes, loopback for open reads)
   */
  public HttpServer(HttpApi api, InetSocketAddress bind, Duration pushInterval, HttpAccess access) {
    this.api = api;
    this.bind = bind;
    this.pushInterval = pushInterval;
    this.access = access;
  }

  /** Binds and starts serving; returns the bound port (useful with port 0). */
  public int start() throws InterruptedException {
    group = new NioEventLoopGroup(1);
    ServerBootstrap b =
        new ServerBootstrap()
            .group(group)
            .channel(NioServerSocketChannel.class)
            .childHandler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    ch.pipeline()
                        .addLast(new HttpServerCodec())
                        .addLast(new HttpObjectAggregator(64 * 1024))
                        .addLast(new Handler());
                  }
                });
    channel = b.bind(bind).sync().channel();
    long ms = pushInterval.toMillis();
    pusher = group.next().scheduleAtFixedRate(this::push, ms, ms, TimeUnit.MILLISECONDS);
    return ((InetSocketAddress) channel.localAddress()).getPort();
  }

  private final class Handler extends SimpleChannelInboundHandler<FullHttpRequest> {
    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
      java.util.Optional<HttpApi.Response> refused =
          access.check(
              req.method().name(),
              ctx.channel().remoteAddress(),
              req.headers().get(HttpHeaderNames.AUTHORIZATION));
      if (refused.isEmpty()
          && req.method().equals(HttpMethod.GET)
          && (req.uri().equals("/api/v1/stream") || req.uri().startsWith("/api/v1/stream?"))) {
        subscribe(ctx);
        return;
      }
      HttpApi.Response r = refused.orElseGet(() -> api.handle(req.method().name(), req.uri()));
      boolean head = req.method().equals(HttpMethod.HEAD);
      FullHttpResponse resp =
          new DefaultFullHttpResponse(
              HttpVersion.HTTP_1_1,
              HttpResponseStatus.valueOf(r.status()),
              head ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(r.body()));
      resp.headers().set(HttpHeaderNames.CONTENT_TYPE, r.contentType());
      resp.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-store");
      HttpUtil.setContentLength(resp, r.body().length);
      boolean keepAlive = HttpUtil.isKeepAlive(req);
      HttpUtil.setKeepAlive(resp, keepAlive);
      var f = ctx.writeAndFlush(resp);
      if (!keepAlive) {
        f.addListener(ChannelFutureListener.CLOSE);
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }

  private void subscribe(ChannelHandlerContext ctx) {
    if (subscribers.size() >= MAX_SUBSCRIBERS) {
      byte[] body =
          ("too many open streams (" + MAX_SUBSCRIBERS + "); close a dashboard tab\n")
              .getBytes(StandardCharsets.UTF_8);
      FullHttpResponse resp =
          new DefaultFullHttpResponse(
              HttpVersion.HTTP_1_1,
              HttpResponseStatus.SERVICE_UNAVAILABLE,
              Unpooled.wrappedBuffer(body));
      HttpUtil.setContentLength(resp, body.length);
      ctx.writeAndFlush(resp).addListener(ChannelFutureListener.CLOSE);
      return;
    }
    DefaultHttpResponse resp = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
    resp.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/event-stream; charset=utf-8");
    resp.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-store");
    HttpUtil.setTransferEncodingChunked(resp, true);
    ctx.write(resp);
    ctx.writeAndFlush(
        new DefaultHttpContent(
            Unpooled.wrappedBuffer("retry: 2000\n\n".getBytes(StandardCharsets.UTF_8))));
    Channel ch = ctx.channel();
    ch.attr(SEQ).set(0L);
    subscribers.put(ch, Boolean.TRUE);
    ch.closeFuture().addListener(f -> subscribers.remove(ch));
    send(ch);
  }

  /** One snapshot to every subscriber; a slow one (not writable) is skipped this round. */
  private void push() {
    for (Channel ch : subscribers.keySet()) {
      if (!ch.isActive()) {
        subscribers.remove(ch);
      } else if (ch.isWritable()) {
        send(ch);
      }
    }
  }

  private void send(Channel ch) {
    try {
      long after = ch.attr(SEQ).get();
      var snapshot = api.snapshot(after);
      ch.attr(SEQ).set(snapshot.get("seq").asLong());
      ch.writeAndFlush(new DefaultHttpContent(Unpooled.wrappedBuffer(api.sseEvent(snapshot))));
    } catch (RuntimeException e) {
      ch.close();
    }
  }

  @Override
  public void close() {
    if (pusher != null) {
      pusher.cancel(false);
    }
    subscribers.keySet().forEach(Channel::close);
    if (channel != null) {
      channel.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
    }
    if (group != null) {
      group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }
  }
}
