import { Controller, Get, Req, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply as Response, FastifyRequest as Request } from 'fastify';
import { Public } from '../../platform/http';
import { HomeStatusDto, RootStatusDto } from './root-status.dto';
import { renderLandingPage } from './landing-page';

@ApiTags('Root')
@Controller()
export class RootController {
  @Get()
  @Public()
  @ApiOperation({ operationId: 'getRoot', summary: 'Root', description: '`{"status":"ok"}`, or an HTML page when Accept asks for text/html.' })
  @ApiProduces('application/json', 'text/html')
  @ApiOkResponse({ type: RootStatusDto })
  root(@Req() req: Request, @Res() res: Response): void {
    this.answer(req, res, { status: 'ok' }, 'kenbun');
  }

  @Get('home')
  @Public()
  @ApiOperation({ operationId: 'getHome', summary: 'Home', description: '`{"status":"ok","page":"home"}` unless Accept contains text/html.' })
  @ApiProduces('application/json', 'text/html')
  @ApiOkResponse({ type: HomeStatusDto })
  home(@Req() req: Request, @Res() res: Response): void {
    this.answer(req, res, { status: 'ok', page: 'home' }, 'kenbun — home');
  }

  private answer(req: Request, res: Response, body: object, title: string): void {
    if ((req.headers.accept ?? '').includes('text/html')) {
      void res.type('text/html; charset=utf-8').send(renderLandingPage(title));
      return;
    }
    void res.send(body);
  }
}
